using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ContinueAfterClientAbort;

// Real Kestrel, clients that really reset: on a ContinueAfterClientAbort route the handler's RequestAborted ignores the
// client leaving, so the work finishes; shutdown, UseRequestTimeouts() and the route's maximum still cancel it; the
// request is still recorded as client-closed.
public sealed class ContinueAfterClientAbortTests
{
    // How long the test keeps the handler working after the server saw the client leave: the expected wasted work.
    private const int WorkAfterLeavingMs = 400;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Continued_route_finishes_its_work_after_the_client_resets_and_is_recorded_as_499(bool outerRequestTimeouts)
    {
        var probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/orders", probe.Handler).ContinueAfterClientAbort().WithRequestTimeout(TimeSpan.FromSeconds(60)),
            o => o.WastedWorkLogThreshold = TimeSpan.FromMilliseconds(100),
            services: s => s.AddRequestTimeouts(),
            beforeStatus499: a =>
            {
                probe.CaptureClientToken(a);
                if (outerRequestTimeouts)
                {
                    // Outer UseRequestTimeouts links its timeout into RequestAborted, which also fires when the client leaves.
                    a.UseRouting();
                    a.UseRequestTimeouts();
                }
            });
        using var wasted = Collect(app, "status499.wasted_work.duration");

        var stopwatch = await ResetWhileWorkingAsync(app, probe, "POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");

        probe.Release();
        (await probe.Outcome).Should().Be(WorkOutcome.Completed, "RequestAborted must not fire when the client leaves");
        var sinceLeftMs = stopwatch.Elapsed.TotalMilliseconds;

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        probe.FeatureSaysContinued.Should().BeTrue();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);

        await wasted.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var waste = wasted.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        waste.Value.Should().BeInRange((WorkAfterLeavingMs - 20) / 1000.0, (sinceLeftMs + 2000) / 1000.0, "the work done after the client left");
        waste.Tags["http.route"].Should().Be("/orders");

        var logs = app.Logs.GetSnapshot();
        logs.Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest");
        var continued = logs.Should().ContainSingle(r => r.Id.Name == "WorkContinuedAfterClientLeft").Subject;
        continued.Id.Id.Should().Be(4);
        continued.Level.Should().Be(LogLevel.Information);
        continued.Message.Should().Contain("POST /orders (route /orders) went on").And.Contain("maximum 30000 ms");
        logs.Should().NotContain(r => r.Id.Name == "WorkAfterClientLeft", "the work after the client left was wanted");
        logs.Should().NotContain(r => r.Level >= LogLevel.Warning, "a client leaving is not a problem, nor is finishing the work");
    }

    [Fact]
    public async Task Without_the_declaration_the_same_handler_is_cancelled_when_the_client_resets()
    {
        var probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/orders", probe.Handler),
            beforeStatus499: probe.CaptureClientToken);

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync("POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            await probe.Entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        (await probe.Outcome).Should().Be(WorkOutcome.Cancelled);
        probe.FeatureSaysContinued.Should().BeFalse();
        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
    }

    [Fact]
    public async Task Http2_stream_reset_does_not_cancel_the_continued_work()
    {
        var probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/ping", () => "pong");
                a.MapGet("/orders-h2", probe.Handler).ContinueAfterClientAbort();
            },
            protocols: HttpProtocols.Http2,
            beforeStatus499: probe.CaptureClientToken);
        using var wasted = Collect(app, "status499.wasted_work.duration");
        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler)
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        (await http.GetStringAsync("/ping")).Should().Be("pong");

        // Cancelling the request sends RST_STREAM for its stream only.
        await ClientCancellation.CancelOnceEnteredAsync(http, "/orders-h2", probe.Entered);
        await probe.ClientLeft;
        var stopwatch = Stopwatch.StartNew();
        await Task.Delay(WorkAfterLeavingMs); // the work under test, not a synchronisation
        probe.Release();

        (await probe.Outcome).Should().Be(WorkOutcome.Completed);
        var sinceLeftMs = stopwatch.Elapsed.TotalMilliseconds;
        await app.RequestDuration.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        app.RequestDuration.GetMeasurementSnapshot().Select(m => Convert.ToInt32(m.Tags["http.response.status_code"], CultureInfo.InvariantCulture))
            .Should().Equal(200, 499);
        wasted.GetMeasurementSnapshot().Should().ContainSingle().Which.Value
            .Should().BeInRange((WorkAfterLeavingMs - 20) / 1000.0, (sinceLeftMs + 2000) / 1000.0);
        (await http.GetStringAsync("/ping")).Should().Be("pong", "the connection survives the reset stream");
    }

    [Fact]
    public async Task Server_shutdown_cancels_the_continued_work()
    {
        var probe = new WorkProbe();
        var app = await TestApp.StartAsync(a => a.MapPost("/orders", probe.Handler).ContinueAfterClientAbort());
        await using (app)
        {
            using var client = await RawHttpClient.ConnectAsync(app.Port);
            await client.SendAsync("POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            await probe.Entered.WaitAsync();

            var stopping = app.App.StopAsync(TimeSpan.FromSeconds(10));

            (await probe.Outcome).Should().Be(WorkOutcome.Cancelled, "shutdown stops continued work");
            await stopping.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    [Fact]
    public async Task Server_shutdown_cancels_the_work_continued_after_the_client_left()
    {
        var probe = new WorkProbe();
        var app = await TestApp.StartAsync(
            a => a.MapPost("/orders", probe.Handler).ContinueAfterClientAbort(),
            beforeStatus499: probe.CaptureClientToken);
        await using (app)
        {
            using (var client = await RawHttpClient.ConnectAsync(app.Port))
            {
                await client.SendAsync("POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
                await probe.Entered.WaitAsync();
                client.Close(CloseMode.Reset);
            }

            await probe.ClientLeft;
            probe.IsCancelled.Should().BeFalse("the client leaving alone does not stop the work");

            var stopping = app.App.StopAsync(TimeSpan.FromSeconds(10));

            (await probe.Outcome).Should().Be(WorkOutcome.Cancelled);
            await stopping.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_timeout_cancels_the_continued_work_before_or_after_UseStatus499(bool outer)
    {
        var probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                if (!outer)
                {
                    a.UseRequestTimeouts();
                }

                a.MapGet("/orders", probe.Handler).ContinueAfterClientAbort().WithRequestTimeout(TimeSpan.FromMilliseconds(300));
            },
            services: s => s.AddRequestTimeouts(),
            beforeStatus499: a =>
            {
                if (outer)
                {
                    a.UseRouting();
                    a.UseRequestTimeouts();
                }
            });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/orders");

        (await probe.Outcome).Should().Be(WorkOutcome.Cancelled);
        ((int)response.StatusCode).Should().Be(504);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(504);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the server gave up, not the client");
    }

    [Fact]
    public async Task Maximum_counts_from_the_moment_the_client_left_then_cancels_the_work()
    {
        const int MaximumMs = 500;
        var probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a => a.MapGroup("/jobs").ContinueAfterClientAbort(TimeSpan.FromSeconds(60))
                .MapPost("/run", probe.Handler).ContinueAfterClientAbort(TimeSpan.FromMilliseconds(MaximumMs)),
            beforeStatus499: probe.CaptureClientToken);

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync("POST /jobs/run HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            await probe.Entered.WaitAsync();

            // Longer than the maximum while the client still waits: a maximum counted from the start would fire here.
            await Task.Delay(MaximumMs + 300); // the moment under test, not a synchronisation
            probe.IsCancelled.Should().BeFalse("the maximum counts from the client leaving, and it has not left");
            client.Close(CloseMode.Reset);
        }

        await probe.ClientLeft;
        (await probe.Outcome).Should().Be(WorkOutcome.Cancelled, "the endpoint's maximum, not its group's, applies");
        Stopwatch.GetElapsedTime(probe.ClientLeftAt, probe.CancelledAt).TotalMilliseconds
            .Should().BeInRange(MaximumMs - 50, 20_000, "cancelled at the maximum after the client left, well before the group's 60 s");

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        var warning = await WaitForLogAsync(app, "ContinuedWorkStoppedAtMaximum");
        warning.Id.Id.Should().Be(5);
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("POST /jobs/run (route /jobs/run) was still running 500 ms after the client left");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "WorkContinuedAfterClientLeft" || r.Id.Name == "WorkAfterClientLeft");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Mvc_attribute_lets_the_action_finish_after_the_client_resets()
    {
        var probe = ContinueAfterClientAbortController.Probe = new WorkProbe();
        await using var app = await TestApp.StartAsync(
            a => a.MapControllers(),
            configureBuilder: b => b.AddStaticTokens("good"), // other test controllers in this assembly require tokens
            beforeStatus499: probe.CaptureClientToken,
            services: s => s.AddControllers().AddApplicationPart(typeof(ContinueAfterClientAbortController).Assembly));

        await ResetWhileWorkingAsync(app, probe, "POST /mvc-continue/pay HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        probe.Release();

        (await probe.Outcome).Should().Be(WorkOutcome.Completed);
        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        (await WaitForLogAsync(app, "WorkContinuedAfterClientLeft")).Message.Should().Contain("maximum 20000 ms", "the attribute's MaximumSeconds");
    }

    [Fact]
    public async Task Abort_on_a_continued_route_still_aborts_the_connection_and_cancels_the_token()
    {
        var tokenCancelledAfterAbort = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/abort", (HttpContext context) =>
        {
            context.Abort();
            tokenCancelledAfterAbort.TrySetResult(context.RequestAborted.IsCancellationRequested);
        }).ContinueAfterClientAbort());
        using var client = await RawHttpClient.ConnectAsync(app.Port);

        await client.SendGetAsync("/abort");
        string received;
        try
        {
            received = await client.ReceiveToEndAsync();
        }
        catch (System.Net.Sockets.SocketException)
        {
            received = string.Empty; // reset by the server
        }

        received.Should().BeEmpty("the connection was aborted, not answered");
        (await tokenCancelledAfterAbort.Task.WaitAsync(TimeSpan.FromSeconds(15))).Should().BeTrue();
    }

    [Fact]
    public async Task Options_pattern_lets_matching_requests_finish_after_the_client_resets()
    {
        var probe = new WorkProbe();
        Activity? span = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        probe.OnEntered = () => span = Activity.Current; // this request's hosting activity, whatever other tests run meanwhile
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/payments/{id}/capture", probe.Handler),
            o => o.ContinueAfterClientAbort("/payments/{**rest}", TimeSpan.FromSeconds(45)),
            beforeStatus499: probe.CaptureClientToken);

        await ResetWhileWorkingAsync(app, probe, "POST /payments/7/capture HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        probe.Release();

        (await probe.Outcome).Should().Be(WorkOutcome.Completed);
        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        (await WaitForLogAsync(app, "WorkContinuedAfterClientLeft")).Message.Should().Contain("maximum 45000 ms");
        span.Should().NotBeNull().And.Subject.As<Activity>().Events.Should().ContainSingle(e => e.Name == "status499.client_closed")
            .Which.Tags.Should().Contain(new KeyValuePair<string, object?>("status499.continued", true));
    }

    // Sends the request, waits for the handler, resets the socket, waits until the server saw the client leave, then
    // lets the handler work on for WorkAfterLeavingMs. Returns a stopwatch started when the server saw the client leave.
    private static async Task<Stopwatch> ResetWhileWorkingAsync(TestApp app, WorkProbe probe, string request)
    {
        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync(request);
            await probe.Entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        await probe.ClientLeft;
        var stopwatch = Stopwatch.StartNew();
        await Task.Delay(WorkAfterLeavingMs); // the work under test, not a synchronisation
        probe.IsCancelled.Should().BeFalse("RequestAborted must not fire when the client leaves");
        return stopwatch;
    }

    private static async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> WaitForLogAsync(TestApp app, string eventName)
    {
        (await Signal.EventuallyAsync(() => app.Logs.GetSnapshot().Any(r => r.Id.Name == eventName))).Should().BeTrue($"{eventName} is logged");
        return app.Logs.GetSnapshot().Single(r => r.Id.Name == eventName);
    }

    private static MetricCollector<double> Collect(TestApp app, string instrument)
        => new(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Status499", instrument);
}

public enum WorkOutcome
{
    Completed,
    Cancelled,
}

// A unit of work the test controls: the handler waits until released (then "commits" and completes) or until its
// RequestAborted fires (then reports cancelled), whichever comes first.
public sealed class WorkProbe
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientLeft = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _cancelled;

    public Signal Entered { get; } = new();

    public Task<WorkOutcome> Outcome => _outcome.Task.WaitAsync(TimeSpan.FromSeconds(15));

    // Completes when the connection's own token fires, as seen by middleware outside UseStatus499.
    public Task ClientLeft => _clientLeft.Task.WaitAsync(TimeSpan.FromSeconds(15));

    public bool IsCancelled => _cancelled;

    // Stopwatch timestamps, taken in the cancellation callbacks themselves: independent of when the test resumes.
    public long ClientLeftAt { get; private set; }

    public long CancelledAt { get; private set; }

    public bool FeatureSaysContinued { get; private set; }

    public Action? OnEntered { get; set; }

    public void Release() => _release.TrySetResult();

    public void CaptureClientToken(WebApplication app) => app.Use((context, next) =>
    {
        context.RequestAborted.Register(() =>
        {
            ClientLeftAt = Stopwatch.GetTimestamp();
            _clientLeft.TrySetResult();
        });
        return next(context);
    });

    public async Task Handler(HttpContext context) => await WorkAsync(context);

    public async Task WorkAsync(HttpContext context)
    {
        FeatureSaysContinued = context.Features.Get<IStatus499Feature>()?.ContinuesAfterClientAbort ?? false;
        OnEntered?.Invoke();
        var token = context.RequestAborted;
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (token.Register(() =>
        {
            CancelledAt = Stopwatch.GetTimestamp();
            _cancelled = true;
            cancelled.TrySetResult();
        }))
        {
            Entered.Set();
            var first = await Task.WhenAny(_release.Task, cancelled.Task).WaitAsync(TimeSpan.FromSeconds(30));
            _outcome.TrySetResult(first == _release.Task ? WorkOutcome.Completed : WorkOutcome.Cancelled);
        }

        token.ThrowIfCancellationRequested();
        await context.Response.WriteAsync("committed", CancellationToken.None);
    }
}

[ApiController]
[Route("mvc-continue")]
[ContinueAfterClientAbort(MaximumSeconds = 90)]
public sealed class ContinueAfterClientAbortController : ControllerBase
{
    internal static WorkProbe Probe { get; set; } = new();

    [HttpPost("pay")]
    [ContinueAfterClientAbort(MaximumSeconds = 20)]
    public Task Pay() => Probe.WorkAsync(HttpContext);
}
