using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// Real Kestrel, a raw socket that resets at a known moment: every signal reports when the client left and how long the
// handler kept running after that, not when a handler that ignores RequestAborted finally returned.
// The test controls when the client leaves and when the handler ends; it does not control how soon Kestrel notices
// the reset (a busy machine delays that), so it measures that moment and bounds the signals by what it measured.
public sealed class ClientLeftMomentTests
{
    private const int LeaveAfterEnteredMs = IgnoringHandler.LeaveAfterEnteredMs;
    private const int TimerSlackMs = IgnoringHandler.TimerSlackMs;

    [Theory]
    [InlineData(500, true)]
    [InlineData(60_000, false)]
    public async Task Handler_that_ignores_the_token_reports_when_the_client_left_and_the_work_wasted_after(int thresholdMs, bool warns)
    {
        var handler = new IgnoringHandler();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/late", handler.RunAsync),
            o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(thresholdMs));
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");

        var moments = await handler.ResetAndReleaseAsync(app.Port, "/late");

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var observedMs = moments.Clock.Elapsed.TotalMilliseconds;

        // The wait ends when the client left, not at the handler's end (released WorkAfterNoticedMs after that).
        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest").Subject;
        var loggedMs = double.Parse(record.StructuredState!.Single(kv => kv.Key == "ElapsedMilliseconds").Value!, CultureInfo.InvariantCulture);
        loggedMs.Should().BeInRange(LeaveAfterEnteredMs - TimerSlackMs, moments.LeftMomentUpperBoundMs, moments.ToString());

        await waits.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Value.Should().BeApproximately(loggedMs / 1000, 0.001, "the log and the histogram report the same wait");
        wait.Tags["http.request.method"].Should().Be("GET");
        wait.Tags["http.route"].Should().Be("/late");
        wait.Tags["status499.phase"].Should().Be("handler");

        // The handler ran on after the client left: at least until the test released it.
        await wasted.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        waste.Value.Should().BeInRange(moments.WasteLowerBoundMs / 1000, (observedMs - moments.ResetLowerBoundMs) / 1000, moments.ToString());
        waste.Tags["http.route"].Should().Be("/late");
        waste.Tags.Should().NotContainKey("status499.phase");
        (wait.Value + waste.Value).Should().BeGreaterThanOrEqualTo(moments.RequestLowerBoundMs / 1000, "wait plus waste is the whole request");

        var warnings = app.Logs.GetSnapshot().Where(r => r.Id.Name == "WorkAfterClientLeft").ToList();
        if (warns)
        {
            var warning = warnings.Should().ContainSingle().Subject;
            warning.Id.Id.Should().Be(3);
            warning.Level.Should().Be(LogLevel.Warning);
            warning.Message.Should().Contain("GET /late (route /late) kept running").And.Contain("ms after the client left");
        }
        else
        {
            warnings.Should().BeEmpty("the waste stayed under the threshold");
        }

        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error, "a client leaving is not an error");
    }

    [Fact]
    public async Task Handler_that_honours_the_token_wastes_no_work()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/honours", async (CancellationToken ct) =>
            {
                entered.Set();
                await Task.Delay(Timeout.Infinite, ct);
                return "never";
            }),
            o => o.WastedWorkLogThreshold = TimeSpan.FromSeconds(5));
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");
        using var client = await RawHttpClient.ConnectAsync(app.Port);
        var clock = Stopwatch.StartNew();

        await client.SendGetAsync("/honours");
        await entered.WaitAsync();
        var enteredMs = clock.Elapsed.TotalMilliseconds;
        await Task.Delay(LeaveAfterEnteredMs); // the moment under test, not a synchronisation
        client.Close(CloseMode.Reset);
        var leftMs = clock.Elapsed.TotalMilliseconds;

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var observedMs = clock.Elapsed.TotalMilliseconds;
        await waits.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        await wasted.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject.Value;
        wait.Should().BeInRange((LeaveAfterEnteredMs - TimerSlackMs) / 1000.0, observedMs / 1000);

        // The handler stopped when the client left: the waste is at most the time from the reset to the end the test
        // saw, and the wait is the rest of the request (not the whole of it).
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject.Value;
        waste.Should().BeInRange(0, (observedMs - enteredMs - LeaveAfterEnteredMs + TimerSlackMs) / 1000, $"left at {leftMs:F0} ms, observed at {observedMs:F0} ms");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "WorkAfterClientLeft");
    }

    [Fact]
    public async Task Span_event_is_stamped_when_the_client_left_with_phase_and_meaning()
    {
        var handler = new IgnoringHandler();
        Activity? span = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/late-span", (HttpContext context) =>
        {
            span = Activity.Current; // the hosting activity of this request, whatever other tests run meanwhile
            return handler.RunAsync(context);
        }));

        var moments = await handler.ResetAndReleaseAsync(app.Port, "/late-span");

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var activity = span.Should().NotBeNull().And.Subject.As<Activity>();
        var closed = activity.Events.Should().ContainSingle(e => e.Name == "status499.client_closed").Subject;
        var offsetMs = (closed.Timestamp.UtcDateTime - activity.StartTimeUtc).TotalMilliseconds;
        offsetMs.Should().BeInRange(LeaveAfterEnteredMs - TimerSlackMs, moments.LeftMomentUpperBoundMs, "the event marks when the client left: " + moments);
        (await Signal.EventuallyAsync(() => activity.Duration > TimeSpan.Zero)).Should().BeTrue("the hosting activity stops after the response");
        (activity.StartTimeUtc + activity.Duration - closed.Timestamp.UtcDateTime).TotalMilliseconds
            .Should().BeGreaterThanOrEqualTo(moments.WasteLowerBoundMs, "the event marks when the client left, not when the handler returned");
        closed.Tags.Should().Contain(new KeyValuePair<string, object?>("status499.phase", "handler"))
            .And.Contain(new KeyValuePair<string, object?>("status499.meaning", "client_closed_request"));
        activity.GetTagItem("status499.phase").Should().Be("handler");
    }

    [Fact]
    public async Task Http2_stream_reset_reports_when_the_client_left_and_the_work_wasted_after()
    {
        var handler = new IgnoringHandler();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/ping", () => "pong");
                a.MapGet("/late-h2", handler.RunAsync);
            },
            configure: o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(500),
            protocols: Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");

        using var socketsHandler = new SocketsHttpHandler();
        using var http = new HttpClient(socketsHandler)
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Connect first, so the time measured below is the request's, not the connection's setup.
        (await http.GetStringAsync("/ping")).Should().Be("pong");

        // Cancelling the request sends RST_STREAM for its stream only; the connection stays open.
        using var cancel = new CancellationTokenSource();
        Task<HttpResponseMessage>? request = null;
        var moments = await handler.LeaveAndReleaseAsync(
            () =>
            {
                request = http.GetAsync("/late-h2", cancel.Token);
                return Task.CompletedTask;
            },
            () => cancel.CancelAsync());
        await FluentActions.Awaiting(() => request!).Should().ThrowAsync<OperationCanceledException>();

        // The hosting duration is recorded once the whole pipeline, Status499 included, is done with both requests.
        await app.RequestDuration.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        var observedMs = moments.Clock.Elapsed.TotalMilliseconds;
        app.RequestDuration.GetMeasurementSnapshot().Select(m => Convert.ToInt32(m.Tags["http.response.status_code"], CultureInfo.InvariantCulture))
            .Should().Equal(200, 499);
        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Tags["status499.phase"].Should().Be("handler");
        wait.Value.Should().BeInRange((LeaveAfterEnteredMs - TimerSlackMs) / 1000.0, moments.LeftMomentUpperBoundMs / 1000, moments.ToString());
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject.Value;
        waste.Should().BeInRange(moments.WasteLowerBoundMs / 1000, (observedMs - moments.ResetLowerBoundMs) / 1000, "the handler ran on after the stream was reset: " + moments);
        (wait.Value + waste).Should().BeGreaterThanOrEqualTo(moments.RequestLowerBoundMs / 1000, "wait and waste add up to the handler's run");
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "WorkAfterClientLeft", "the threshold is 500 ms");
    }

    private static MetricCollector<double> Collect(TestApp app, string instrument)
        => new(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Status499", instrument);
}
