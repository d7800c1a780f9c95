using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// docs/operating.md's block.
internal static class Operating
{
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter("Status499", "Microsoft.AspNetCore.Hosting")
                // .NET 8 only: from .NET 9 on the histograms carry these buckets as advice. OpenTelemetry's defaults are
                // made for milliseconds and would put every wait under 5 s into one bucket.
                .AddView("status499.*.duration", new ExplicitBucketHistogramConfiguration
                {
                    Boundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
                })
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.AspNetCore")      // the request spans that get the status499.client_closed event
                .AddOtlpExporter());
    }
}
