using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Status499.Tests.Infrastructure;

namespace Status499.Telemetry.Tests;

// What an operator's OpenTelemetry pipeline receives: the SDK set up as docs/operating.md shows
// (AddMeter("Status499"), the hosting meter, the "Microsoft.AspNetCore" activity source), exported in memory from a real
// Kestrel whose client really leaves.
public sealed class OpenTelemetryExportTests
{
    private const int LeaveAfterEnteredMs = IgnoringHandler.LeaveAfterEnteredMs;

    // The bucket advice of status499.client_wait.duration and status499.wasted_work.duration, and operating.md's View.
    private static readonly double[] LatencyBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_that_leaves_is_exported_as_the_documented_instruments_span_event_and_hosting_499(bool withBucketView)
    {
        var exported = new List<MetricSnapshot>();
        var spans = new LockedList<Activity>();
        var handler = new IgnoringHandler();
        Activity? span = null;
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/otel-late", (HttpContext context) =>
            {
                span = Activity.Current;
                return handler.RunAsync(context);
            }),
            services: s => s.AddOpenTelemetry()
                .WithMetrics(m =>
                {
                    m.AddMeter("Status499", "Microsoft.AspNetCore.Hosting").AddInMemoryExporter(exported);
                    if (withBucketView)
                    {
                        m.AddView("status499.*.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBounds });
                    }
                })
                .WithTracing(t => t.AddSource("Microsoft.AspNetCore").AddInMemoryExporter(spans)));

        // The test decides when the client leaves and when the handler ends, and measures when the server noticed.
        var moments = await handler.ResetAndReleaseAsync(app.Port, "/otel-late");

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);

        // The hosting metric is recorded last, when the whole pipeline has returned: export until it is there.
        var provider = app.App.Services.GetRequiredService<MeterProvider>();
        (await Signal.EventuallyAsync(() =>
        {
            exported.Clear();
            provider.ForceFlush();
            return PointsOf(exported, "http.server.request.duration", "/otel-late").Count > 0;
        })).Should().BeTrue("the hosting meter records the request once it ended");

        // The counter: one request, with method, route, phase and meaning.
        var counter = Single(exported, "status499.client_closed_requests");
        counter.MeterName.Should().Be("Status499");
        counter.Unit.Should().Be("{request}");
        counter.MetricType.Should().Be(MetricType.LongSum);
        var counted = PointsOf(exported, "status499.client_closed_requests", "/otel-late").Should().ContainSingle().Subject;
        counted.GetSumLong().Should().Be(1);
        TagsOf(counted).Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["http.request.method"] = "GET",
            ["http.route"] = "/otel-late",
            ["status499.phase"] = "handler",
            ["status499.meaning"] = "client_closed_request",
            ["status499.termination"] = "client_reset",
        });

        // How long the client waited: until it left, not until the handler was released.
        var wait = Single(exported, "status499.client_wait.duration");
        wait.MeterName.Should().Be("Status499");
        wait.Unit.Should().Be("s");
        wait.MetricType.Should().Be(MetricType.Histogram);
        var waited = PointsOf(exported, "status499.client_wait.duration", "/otel-late").Should().ContainSingle().Subject;
        TagsOf(waited).Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["http.request.method"] = "GET",
            ["http.route"] = "/otel-late",
            ["status499.phase"] = "handler",
            ["status499.termination"] = "client_reset",
        });
        waited.GetHistogramCount().Should().Be(1);
        var waitedSeconds = waited.GetHistogramSum();
        waitedSeconds.Should().BeInRange((LeaveAfterEnteredMs - IgnoringHandler.TimerSlackMs) / 1000.0, moments.LeftMomentUpperBoundMs / 1000, moments.ToString());

        // The work done after the client left: the rest of the handler's run, at least until the test released it.
        var waste = Single(exported, "status499.wasted_work.duration");
        waste.MeterName.Should().Be("Status499");
        waste.Unit.Should().Be("s");
        waste.MetricType.Should().Be(MetricType.Histogram);
        var wasted = PointsOf(exported, "status499.wasted_work.duration", "/otel-late").Should().ContainSingle().Subject;
        TagsOf(wasted).Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["http.request.method"] = "GET",
            ["http.route"] = "/otel-late",
            ["status499.termination"] = "client_reset",
        });
        wasted.GetHistogramCount().Should().Be(1);
        wasted.GetHistogramSum().Should().BeGreaterThanOrEqualTo(moments.WasteLowerBoundMs / 1000, moments.ToString());
        (waitedSeconds + wasted.GetHistogramSum()).Should().BeGreaterThanOrEqualTo(moments.RequestLowerBoundMs / 1000, "wait and waste add up to the handler's run");

#if NET9_0_OR_GREATER
        // The instruments' InstrumentAdvice (System.Diagnostics.DiagnosticSource 9+): buckets for request latency; the
        // View changes nothing.
        var expectedBounds = LatencyBounds;
#else
        // net8.0 builds of the library cannot give advice, so without operating.md's View OpenTelemetry uses its default
        // buckets, made for milliseconds: every wait under 5 s in one bucket.
        double[] expectedBounds = withBucketView ? LatencyBounds : [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
#endif
        BoundsOf(waited).Should().Equal(expectedBounds);
        BoundsOf(wasted).Should().Equal(expectedBounds);

        // The hosting metric records the 499 for the same request.
        var hosting = PointsOf(exported, "http.server.request.duration", "/otel-late").Should().ContainSingle().Subject;
        Convert.ToInt32(TagsOf(hosting)["http.response.status_code"], CultureInfo.InvariantCulture).Should().Be(499);
        TagsOf(hosting).Should().NotContainKey("error.type", "RecordTerminationAsErrorType is off by default");

        // The request's span, exported when it stopped, carries the event stamped when the client left.
        var activity = span.Should().NotBeNull().And.Subject.As<Activity>();
        (await Signal.EventuallyAsync(() => spans.Contains(activity)))
            .Should().BeTrue("the hosting span is exported when the request ends");
        activity.Source.Name.Should().Be("Microsoft.AspNetCore");
        activity.GetTagItem("status499.phase").Should().Be("handler");
        activity.GetTagItem("status499.termination").Should().Be("client_reset");
        var closed = activity.Events.Should().ContainSingle(e => e.Name == "status499.client_closed").Subject;
        closed.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["status499.phase"] = "handler",
            ["status499.meaning"] = "client_closed_request",
            ["status499.termination"] = "client_reset",
        });
        (closed.Timestamp.UtcDateTime - activity.StartTimeUtc).TotalMilliseconds
            .Should().BeInRange(LeaveAfterEnteredMs - IgnoringHandler.TimerSlackMs, moments.LeftMomentUpperBoundMs, "the event marks when the client left: " + moments);
        (activity.StartTimeUtc + activity.Duration - closed.Timestamp.UtcDateTime).TotalMilliseconds
            .Should().BeGreaterThanOrEqualTo(moments.WasteLowerBoundMs, "the event marks when the client left, not when the handler returned");
    }

    [Fact]
    public async Task Token_refusals_are_exported_by_reason_and_route()
    {
        var exported = new List<MetricSnapshot>();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/otel-report", () => "report").RequireToken(),
            configureBuilder: b => b.AddTokenValidator(context => ValueTask.FromResult(context.Token switch
            {
                "reader" => TokenValidatorResult.Valid(),
                "outsider" => TokenValidatorResult.Forbidden(),
                _ => TokenValidatorResult.Invalid(),
            })),
            services: s => s.AddOpenTelemetry().WithMetrics(m => m.AddMeter("Status499").AddInMemoryExporter(exported)));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        ((int)(await http.GetAsync("/otel-report")).StatusCode).Should().Be(499);
        ((int)(await http.GetAsync("/otel-report?token=forged")).StatusCode).Should().Be(498);
        ((int)(await http.GetAsync("/otel-report?token=outsider")).StatusCode).Should().Be(403);
        (await http.GetStringAsync("/otel-report?token=reader")).Should().Be("report");

        app.App.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var rejections = Single(exported, "status499.token_rejections");
        rejections.MeterName.Should().Be("Status499");
        rejections.Unit.Should().Be("{request}");
        rejections.MetricType.Should().Be(MetricType.LongSum);
        var byReason = PointsOf(exported, "status499.token_rejections", "/otel-report")
            .ToDictionary(p => (string)TagsOf(p)["status499.reason"]!, p => p.GetSumLong());
        byReason.Should().BeEquivalentTo(new Dictionary<string, long> { ["token_required"] = 1, ["invalid_token"] = 1, ["forbidden"] = 1 },
            "an accepted token is not a rejection");
        PointsOf(exported, "status499.token_rejections", "/otel-report").Select(p => TagsOf(p).Keys.Order(StringComparer.Ordinal))
            .Should().AllSatisfy(keys => keys.Should().Equal("http.request.method", "http.route", "status499.reason"));
    }

    // Status499Options.RecordTerminationAsErrorType: the semantic conventions' error.type for a connection that dropped
    // before the response was sent, next to the true status; off, the hosting metric is ASP.NET Core's own.
    [Theory]
    [InlineData(true, CloseMode.Reset, "client_reset")]
    [InlineData(true, CloseMode.Fin, "client_closed")]
    [InlineData(false, CloseMode.Reset, null)]
    public async Task Termination_is_exported_as_error_type_on_the_hosting_metric_only_when_asked(bool recordErrorType, CloseMode close, string? errorType)
    {
        var exported = new List<MetricSnapshot>();
        var entered = new Signal();
        var route = $"/otel-error-type-{recordErrorType}-{close}";
        await using var app = await TestApp.StartAsync(
            a => a.MapGet(route, async (HttpContext context) =>
            {
                entered.Set();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }),
            configure: o => o.RecordTerminationAsErrorType = recordErrorType,
            services: s => s.AddOpenTelemetry().WithMetrics(m => m.AddMeter("Microsoft.AspNetCore.Hosting").AddInMemoryExporter(exported)));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync(route);
            await entered.WaitAsync();
            client.Close(close);
        }

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var provider = app.App.Services.GetRequiredService<MeterProvider>();
        (await Signal.EventuallyAsync(() =>
        {
            exported.Clear();
            provider.ForceFlush();
            return PointsOf(exported, "http.server.request.duration", route).Count > 0;
        })).Should().BeTrue("the hosting meter records the request once it ended");

        var tags = TagsOf(PointsOf(exported, "http.server.request.duration", route).Should().ContainSingle().Subject);
        Convert.ToInt32(tags["http.response.status_code"], CultureInfo.InvariantCulture).Should().Be(499, "the real status stays");
        if (errorType is null)
        {
            tags.Should().NotContainKey("error.type");
        }
        else
        {
            tags.Should().Contain("error.type", errorType);
        }
    }

    // A server ending (ServerEnded) gets it too, with the status the server answered.
    [Fact]
    public async Task Request_timeout_is_exported_as_error_type_with_its_504()
    {
        var exported = new List<MetricSnapshot>();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/otel-timeout", async (CancellationToken ct) => await Task.Delay(Timeout.Infinite, ct))
                .WithRequestTimeout(TimeSpan.FromMilliseconds(100)),
            configure: o => o.RecordTerminationAsErrorType = true,
            services: s =>
            {
                s.AddRequestTimeouts();
                s.AddOpenTelemetry().WithMetrics(m => m.AddMeter("Microsoft.AspNetCore.Hosting").AddInMemoryExporter(exported));
            },
            beforeStatus499: a => { a.UseRouting(); a.UseRequestTimeouts(); });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        ((int)(await http.GetAsync("/otel-timeout")).StatusCode).Should().Be(504);

        var provider = app.App.Services.GetRequiredService<MeterProvider>();
        (await Signal.EventuallyAsync(() =>
        {
            exported.Clear();
            provider.ForceFlush();
            return PointsOf(exported, "http.server.request.duration", "/otel-timeout").Count > 0;
        })).Should().BeTrue("the hosting meter records the request once it ended");
        var tags = TagsOf(PointsOf(exported, "http.server.request.duration", "/otel-timeout").Should().ContainSingle().Subject);
        Convert.ToInt32(tags["http.response.status_code"], CultureInfo.InvariantCulture).Should().Be(504);
        tags.Should().Contain("error.type", "request_timeout");
    }

    private static MetricSnapshot Single(List<MetricSnapshot> exported, string name)
        => exported.Should().ContainSingle(m => m.Name == name, $"{name} is exported").Subject;

    // Other tests' apps in this process use meters of the same names: the route tells this test's points apart.
    private static List<MetricPoint> PointsOf(List<MetricSnapshot> exported, string name, string route)
        => exported.Where(m => m.Name == name).SelectMany(m => m.MetricPoints)
            .Where(p => TagsOf(p).TryGetValue("http.route", out var r) && (string?)r == route).ToList();

    private static Dictionary<string, object?> TagsOf(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    // The explicit bounds, without the last bucket's +Infinity.
    private static List<double> BoundsOf(MetricPoint point)
    {
        var bounds = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            if (!double.IsPositiveInfinity(bucket.ExplicitBound))
            {
                bounds.Add(bucket.ExplicitBound);
            }
        }

        return bounds;
    }
}
