using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>The rules, one descriptor each; IDs and severities are tracked in AnalyzerReleases.*.md.</summary>
internal static class Descriptors
{
    private const string Category = "Reliability";
    private const string HelpBase = "https://github.com/status499/status499/blob/main/docs/analyzers.md#";

    public static readonly DiagnosticDescriptor PassRequestToken = new(
        DiagnosticIds.PassRequestToken,
        title: "Pass the request's CancellationToken",
        messageFormat: "'{0}' can take a CancellationToken: pass {1} so the work stops when the client disconnects",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An endpoint handler or gRPC service method calls a method that has an overload taking a CancellationToken, or leaves an optional "
            + "CancellationToken parameter at its default. When the client disconnects, the work goes on for nobody and the "
            + "request is recorded as 499 only when it finally ends. Pass the request's token (HttpContext.RequestAborted, "
            + "which minimal APIs and MVC bind to a CancellationToken parameter; ServerCallContext.CancellationToken in a gRPC "
            + "service method). Pass CancellationToken.None explicitly for "
            + "work that must finish even when the client has gone.",
        helpLinkUri: HelpBase + "s499001");

    public static readonly DiagnosticDescriptor HandlerWithoutToken = new(
        DiagnosticIds.HandlerWithoutToken,
        title: "Handler awaits without a CancellationToken",
        messageFormat: "Handler '{0}' awaits work but never sees the request's CancellationToken: take one and pass it down",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "An endpoint handler awaits work but has no CancellationToken, HttpContext or HttpRequest parameter and "
            + "never reads HttpContext.RequestAborted, so nothing it calls can stop when the client disconnects. Take a "
            + "CancellationToken parameter (bound to HttpContext.RequestAborted) and pass it to the methods you call.",
        helpLinkUri: HelpBase + "s499002");
}
