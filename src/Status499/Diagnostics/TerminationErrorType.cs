using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Status499.ClientClosed;

namespace Status499.Diagnostics;

// Status499Options.RecordTerminationAsErrorType: the termination as error.type on http.server.request.duration, as the
// OpenTelemetry HTTP semantic conventions suggest for a request whose connection dropped before the response was sent
// (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/). ASP.NET Core's hosting metrics add the request's
// custom tags (IHttpMetricsTagsFeature) before they try to add error.type from an unhandled exception, so this value
// stands (HostingMetrics.RequestEnd in dotnet/aspnetcore src/Hosting/Hosting/src/Internal/HostingMetrics.cs). Only
// requests that ended early get here; the tag list allocates, on that path only.
internal static class TerminationErrorType
{
    public const string TagName = "error.type";

    public static void Record(HttpContext context, RequestTermination termination)
    {
        if (termination != RequestTermination.None && context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics)
        {
            metrics.Tags.Add(new(TagName, Status499Names.Of(termination)));
        }
    }
}
