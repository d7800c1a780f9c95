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
public sealed class ClientLeftMomentTests
{
    private const int LeaveAfterEnteredMs = 400;
    // Long enough that a cold, loaded run (self-contained net8.0 right after a build) still leaves well before the end.
    private const int HandlerRunsMs = 3000;

    // Kestrel notices a reset socket and cancels RequestAborted within this long, even on a busy 2-core machine.
    private const int LeaveNoticedWithinMs = 250;

    [Theory]
    [InlineData(500, true)]
    [InlineData(5000, false)]
    public async Task Handler_that_ignores_the_token_reports_when_the_client_left_and_the_work_wasted_after(int thresholdMs, bool warns)
    {
        var entered = new Signal();
        var finished = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/late", async () =>
            {
                entered.Set();
                await Task.Delay(HandlerRunsMs, CancellationToken.None);
                finished.Set();
                return "late";
            }),
            o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(thresholdMs));
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");

        var leftMs = await RawHttpClient.LeaveAfterAsync(app.Port, "/late", entered, LeaveAfterEnteredMs);

        leftMs.Should().BeLessThan(HandlerRunsMs - 500, "the client must leave well before the handler ends (a starved thread pool delays it)");

        await finished.WaitAsync();
        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);

        // The wait ends when the client left (~400 ms after the handler entered), not at the handler's end (HandlerRunsMs).
        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest").Subject;
        var loggedMs = double.Parse(record.StructuredState!.Single(kv => kv.Key == "ElapsedMilliseconds").Value!, CultureInfo.InvariantCulture);
        loggedMs.Should().BeInRange(LeaveAfterEnteredMs - 10, leftMs + LeaveNoticedWithinMs);

        await waits.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Value.Should().BeApproximately(loggedMs / 1000, 0.001, "the log and the histogram report the same wait");
        wait.Tags["http.request.method"].Should().Be("GET");
        wait.Tags["http.route"].Should().Be("/late");
        wait.Tags["status499.phase"].Should().Be("handler");

        // The handler ran on after the client left: the rest of its HandlerRunsMs.
        await wasted.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        waste.Value.Should().BeInRange((HandlerRunsMs - leftMs - LeaveNoticedWithinMs) / 1000.0, HandlerRunsMs / 1000.0 + 0.5);
        waste.Tags["http.route"].Should().Be("/late");
        waste.Tags.Should().NotContainKey("status499.phase");
        // Task.Delay's timer may fire a few milliseconds early.
        (wait.Value + waste.Value).Should().BeGreaterThanOrEqualTo((HandlerRunsMs - 20) / 1000.0, "wait plus waste is the whole request");

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
            o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(250));
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");

        await RawHttpClient.LeaveAfterAsync(app.Port, "/honours", entered, LeaveAfterEnteredMs);

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        await waits.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        await wasted.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        waits.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BeInRange((LeaveAfterEnteredMs - 10) / 1000.0, 5);
        wasted.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BeLessThan(0.25, "the handler stopped when the client left");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "WorkAfterClientLeft");
    }

    [Fact]
    public async Task Span_event_is_stamped_when_the_client_left_with_phase_and_meaning()
    {
        var entered = new Signal();
        var finished = new Signal();
        Activity? span = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/late-span", async () =>
        {
            span = Activity.Current; // the hosting activity of this request, whatever other tests run meanwhile
            entered.Set();
            await Task.Delay(HandlerRunsMs, CancellationToken.None);
            finished.Set();
            return "late";
        }));

        var leftMs = await RawHttpClient.LeaveAfterAsync(app.Port, "/late-span", entered, LeaveAfterEnteredMs);

        leftMs.Should().BeLessThan(HandlerRunsMs - 500, "the client must leave well before the handler ends (a starved thread pool delays it)");

        await finished.WaitAsync();
        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var activity = span.Should().NotBeNull().And.Subject.As<Activity>();
        var closed = activity.Events.Should().ContainSingle(e => e.Name == "status499.client_closed").Subject;
        var offsetMs = (closed.Timestamp.UtcDateTime - activity.StartTimeUtc).TotalMilliseconds;
        offsetMs.Should().BeInRange(LeaveAfterEnteredMs - 10, leftMs + LeaveNoticedWithinMs, "the event marks when the client left, not when the handler returned");
        closed.Tags.Should().Contain(new KeyValuePair<string, object?>("status499.phase", "handler"))
            .And.Contain(new KeyValuePair<string, object?>("status499.meaning", "client_closed_request"));
        activity.GetTagItem("status499.phase").Should().Be("handler");
    }

    [Fact]
    public async Task Http2_stream_reset_reports_when_the_client_left_and_the_work_wasted_after()
    {
        var entered = new Signal();
        var finished = new Signal();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/ping", () => "pong");
                a.MapGet("/late-h2", async () =>
                {
                    entered.Set();
                    await Task.Delay(HandlerRunsMs, CancellationToken.None);
                    finished.Set();
                    return "late";
                });
            },
            configure: o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(200),
            protocols: Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        using var waits = Collect(app, "status499.client_wait.duration");
        using var wasted = Collect(app, "status499.wasted_work.duration");

        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler)
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Connect first, so the time measured below is the request's, not the connection's setup.
        (await http.GetStringAsync("/ping")).Should().Be("pong");

        // Cancelling the request sends RST_STREAM for its stream only; the connection stays open.
        using var cancel = new CancellationTokenSource();
        var sinceSent = Stopwatch.StartNew();
        var request = http.GetAsync("/late-h2", cancel.Token);
        await entered.WaitAsync();
        await Task.Delay(LeaveAfterEnteredMs); // the moment under test, not a synchronisation
        await cancel.CancelAsync();
        var leftMs = sinceSent.Elapsed.TotalMilliseconds;
        await FluentActions.Awaiting(() => request).Should().ThrowAsync<OperationCanceledException>();
        leftMs.Should().BeLessThan(HandlerRunsMs - 500, "the client must leave well before the handler ends (a starved thread pool delays it)");

        await finished.WaitAsync();

        // The hosting duration is recorded once the whole pipeline, Status499 included, is done with both requests.
        await app.RequestDuration.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        app.RequestDuration.GetMeasurementSnapshot().Select(m => Convert.ToInt32(m.Tags["http.response.status_code"], CultureInfo.InvariantCulture))
            .Should().Equal(200, 499);
        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Tags["status499.phase"].Should().Be("handler");
        // Kestrel cancels a reset stream's RequestAborted on the thread pool, which a loaded machine (a cold, self-contained
        // net8.0 run right after a build) delays by several hundred ms: the bound proves the moment is the reset's, not
        // the handler's end (HandlerRunsMs), without timing the thread pool.
        wait.Value.Should().BeInRange((LeaveAfterEnteredMs - 10) / 1000.0, (HandlerRunsMs - 250) / 1000.0);
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject.Value;
        waste.Should().BeInRange(0.25, HandlerRunsMs / 1000.0, "the handler ran on after the stream was reset");
        (wait.Value + waste).Should().BeGreaterThanOrEqualTo((HandlerRunsMs - 20) / 1000.0, "wait and waste add up to the handler's run");
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "WorkAfterClientLeft", "the threshold is 200 ms");
    }

    private static MetricCollector<double> Collect(TestApp app, string instrument)
        => new(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Status499", instrument);
}
