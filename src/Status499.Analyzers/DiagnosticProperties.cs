namespace Status499.Analyzers;

/// <summary>
/// Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> through which the analyzer tells the code fix what
/// to write, so the fix never repeats the analysis. The handler's declaration is the diagnostic's first additional location.
/// </summary>
internal static class DiagnosticProperties
{
    /// <summary>The expression that yields the token in the handler ("ct", "context.RequestAborted"); absent when the
    /// handler has none and the fix adds a CancellationToken parameter.</summary>
    public const string Token = "Token";

    /// <summary>The name of the callee's CancellationToken parameter, for a named argument.</summary>
    public const string ParameterName = "ParameterName";

    /// <summary>Where the token goes among the written arguments; absent when it must be a named argument.</summary>
    public const string Position = "Position";

    /// <summary>The name the fix gives the parameter it adds (minimal APIs and MVC bind it to RequestAborted).</summary>
    public const string NewParameterName = "cancellationToken";
}
