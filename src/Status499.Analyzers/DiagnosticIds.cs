namespace Status499.Analyzers;

/// <summary>The stable IDs of the Status499 analyzers, documented in docs/analyzers.md.</summary>
public static class DiagnosticIds
{
    /// <summary>A handler calls a method that can take a CancellationToken without passing the request's one.</summary>
    public const string PassRequestToken = "S499001";

    /// <summary>A handler awaits work but has no way to see that the client left.</summary>
    public const string HandlerWithoutToken = "S499002";
}
