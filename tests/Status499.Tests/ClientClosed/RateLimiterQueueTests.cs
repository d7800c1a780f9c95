using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// UseRateLimiter() with a queue, behind UseStatus499(): one permit, a queue of one. Request A holds the permit, B waits
// in the queue; the test knows B is queued from the limiter's own queued_requests metric, waits QueuedMs, then B's
// client leaves (or A is released). RateLimitingMiddleware answers nothing when a queued client leaves: without
// Status499 the outer middleware would see a 200.
public sealed class RateLimiterQueueTests
{
    private const string Policy = "one-at-a-time";
    private const int QueuedMs = 300;

    // Task.Delay may end a timer tick before the Stopwatch says QueuedMs have passed.
    private const int TimerSlackMs = 30;

    [Fact]
    public async Task Client_that_leaves_while_queued_is_recorded_in_the_queued_phase_with_its_queue_wait()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http1);
        using var waits = new MetricCollector<double>(queue.MeterFactory, "Status499", "status499.client_wait.duration");
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        using var client = await RawHttpClient.ConnectAsync(queue.App.Port);
        var clock = Stopwatch.StartNew();
        await client.SendGetAsync("/queued");
        await queue.WaitUntilQueuedAsync();
        await Task.Delay(QueuedMs);
        client.Close(CloseMode.Fin);

        var seen = await queue.App.Observer.WaitAsync();
        var upperBound = clock.Elapsed;
        seen.Path.Should().Be("/queued");
        seen.StatusCode.Should().Be(499, "nothing was written, and outer middleware must not see the limiter's silent 200");
        seen.Phase.Should().Be(ClientDisconnectPhase.Queued);
        seen.Termination.Should().Be(RequestTermination.ClientClosed);
        seen.QueueWait.Should().NotBeNull();
        seen.QueueWait!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(QueuedMs - TimerSlackMs)).And.BeLessThanOrEqualTo(upperBound);
        (await queue.App.WaitForRecordedDurationStatusAsync()).Should().Be(499);

        // The log line and the span carry the same wait.
        var record = queue.App.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest").Subject;
        record.StructuredState!.Single(kv => kv.Key == "Phase").Value.Should().Be("queued");
        double.Parse(record.StructuredState!.Single(kv => kv.Key == "QueueWaitMilliseconds").Value!, CultureInfo.InvariantCulture)
            .Should().BeApproximately(seen.QueueWait.Value.TotalMilliseconds, 0.01);
        queue.QueuedActivity.Should().NotBeNull();
        queue.QueuedActivity!.GetTagItem("status499.queue_wait").Should().Be(seen.QueueWait.Value.TotalSeconds);
        queue.QueuedActivity.GetTagItem("status499.phase").Should().Be("queued");

        await waits.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        waits.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.phase"].Should().Be("queued");

        // A is unaffected, and B was counted once.
        queue.Release.Set();
        using (var response = await held)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("held");
        }

        queue.App.Observer.All.Should().ContainSingle(o => o.Path == "/hold").Which.Should().Match<Observation>(o => o.Phase == ClientDisconnectPhase.None && o.QueueWait == null);
        var counted = queue.App.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        counted.Tags["status499.phase"].Should().Be("queued");
        queue.App.WarningsAndErrors.Should().BeEmpty();
    }

    // On a token route a 499 means Token Required and an endpoint's status stands; but here no endpoint answered.
    [Fact]
    public async Task Client_that_leaves_while_queued_on_a_token_route_after_its_token_passed_is_recorded_as_499()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http1, tokenRoutes: true);
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        using var client = await RawHttpClient.ConnectAsync(queue.App.Port);
        await client.SendGetAsync("/queued?token=good");
        await queue.WaitUntilQueuedAsync();
        client.Close(CloseMode.Fin);

        var seen = await queue.App.Observer.WaitAsync();
        seen.Path.Should().Be("/queued");
        seen.Meaning.Should().Be(Status499Meaning.TokenRequired);
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Queued);
        seen.QueueWait.Should().NotBeNull();

        queue.Release.Set();
        (await held).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Http2_stream_cancelled_while_queued_is_recorded_in_the_queued_phase()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http2);
        using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
        using var http = new HttpClient(handler)
        {
            BaseAddress = queue.App.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var held = http.GetAsync("/hold");
        await queue.Holding.WaitAsync();

        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var queued = http.GetAsync("/queued", cancel.Token);
        await queue.WaitUntilQueuedAsync();
        await Task.Delay(QueuedMs);
        cancel.Cancel();
        await FluentActions.Awaiting(() => queued).Should().ThrowAsync<OperationCanceledException>();

        var seen = await queue.App.Observer.WaitAsync();
        var upperBound = clock.Elapsed;
        seen.Path.Should().Be("/queued");
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Queued);
        seen.Termination.Should().Be(RequestTermination.ClientStreamReset);
        seen.QueueWait!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(QueuedMs - TimerSlackMs)).And.BeLessThanOrEqualTo(upperBound);

        queue.Release.Set();
        using var response = await held;
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the stream that held the permit is not touched by the other's reset");
        queue.App.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.phase"].Should().Be("queued");
    }

    [Fact]
    public async Task Request_that_was_queued_then_ran_reports_its_queue_wait_and_no_phase()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http1);
        using var http = new HttpClient { BaseAddress = queue.App.BaseAddress };
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        var clock = Stopwatch.StartNew();
        var queued = http.GetAsync("/queued");
        await queue.WaitUntilQueuedAsync();
        await Task.Delay(QueuedMs);
        queue.Release.Set();

        using (var response = await queued)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("ran");
        }

        var upperBound = clock.Elapsed;
        (await held).Dispose();
        (await Signal.EventuallyAsync(() => queue.App.Observer.All.Count == 2)).Should().BeTrue();
        var seen = queue.App.Observer.All.Should().ContainSingle(o => o.Path == "/queued").Subject;
        seen.StatusCode.Should().Be(200);
        seen.Phase.Should().Be(ClientDisconnectPhase.None);
        seen.QueueWait!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(QueuedMs - TimerSlackMs)).And.BeLessThanOrEqualTo(upperBound);
        queue.QueuedActivity!.GetTagItem("status499.queue_wait").Should().Be(seen.QueueWait.Value.TotalSeconds);
        queue.App.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
        queue.App.WarningsAndErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Client_that_leaves_after_its_queued_request_started_is_recorded_in_the_handler_phase_with_its_queue_wait()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http1);
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        using var client = await RawHttpClient.ConnectAsync(queue.App.Port);
        await client.SendGetAsync("/queued-then-waits");
        await queue.WaitUntilQueuedAsync();
        await Task.Delay(QueuedMs);
        queue.Release.Set();
        await queue.Entered.WaitAsync();
        client.Close(CloseMode.Fin);

        (await Signal.EventuallyAsync(() => queue.App.Observer.All.Any(o => o.Path == "/queued-then-waits"))).Should().BeTrue();
        var seen = queue.App.Observer.All.Single(o => o.Path == "/queued-then-waits");
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        seen.QueueWait!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(QueuedMs - TimerSlackMs));
        (await held).Dispose();
    }

    [Fact]
    public async Task Client_that_leaves_while_queued_by_the_global_limiter_is_recorded_in_the_queued_phase()
    {
        await using var queue = await QueueApp.StartAsync(global: true, HttpProtocols.Http1);
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        using var client = await RawHttpClient.ConnectAsync(queue.App.Port);
        await client.SendGetAsync("/queued");
        await queue.WaitUntilQueuedAsync();
        await Task.Delay(QueuedMs);
        client.Close(CloseMode.Fin);

        var seen = await queue.App.Observer.WaitAsync();
        seen.Path.Should().Be("/queued");
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Queued);
        seen.QueueWait!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(QueuedMs - TimerSlackMs));

        queue.Release.Set();
        (await held).StatusCode.Should().Be(HttpStatusCode.OK);
        queue.App.WarningsAndErrors.Should().BeEmpty();
    }

    // Documented limit: the request is handed over synchronously, so a middleware between UseStatus499() and
    // UseRateLimiter() that really goes asynchronous hides the queue. The client that left is still recorded as 499.
    [Fact]
    public async Task Asynchronous_middleware_between_UseStatus499_and_the_limiter_falls_back_to_the_handler_phase()
    {
        await using var queue = await QueueApp.StartAsync(global: false, HttpProtocols.Http1, asynchronousBetween: true);
        var held = queue.HoldThePermit();
        await queue.Holding.WaitAsync();

        using var client = await RawHttpClient.ConnectAsync(queue.App.Port);
        await client.SendGetAsync("/queued");
        await queue.WaitUntilQueuedAsync();
        client.Close(CloseMode.Fin);

        var seen = await queue.App.Observer.WaitAsync();
        seen.Path.Should().Be("/queued");
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        seen.QueueWait.Should().BeNull();

        queue.Release.Set();
        (await held).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rate_limiter_before_UseStatus499_is_warned_about_once()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/limited", () => "ok"),
            services: s => s.AddRateLimiter(o => o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(
                _ => RateLimitPartition.GetConcurrencyLimiter("all", _ => new ConcurrencyLimiterOptions { PermitLimit = 10 }))),
            beforeStatus499: a => a.UseRateLimiter());
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/limited")).Should().Be("ok");
        (await http.GetStringAsync("/limited")).Should().Be("ok");

        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RateLimiterBeforeStatus499")
            .Which.Should().Match<Microsoft.Extensions.Logging.Testing.FakeLogRecord>(r => r.Id.Id == 74 && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Rate_limiter_after_UseStatus499_is_not_warned_about()
    {
        await using var queue = await QueueApp.StartAsync(global: true, HttpProtocols.Http1);
        queue.Release.Set();
        using var http = new HttpClient { BaseAddress = queue.App.BaseAddress };

        (await http.GetStringAsync("/hold")).Should().Be("held");
        (await http.GetStringAsync("/queued")).Should().Be("ran");

        queue.App.WarningsAndErrors.Should().BeEmpty();
    }

    // The app under test: UseRateLimiter() after UseStatus499() (TestApp maps endpoints after it), one permit, a queue
    // of one, either as the endpoints' policy or as the global limiter.
    private sealed class QueueApp : IAsyncDisposable
    {
        private readonly MetricCollector<long> _queued;
        private readonly ActivityListener _activities;
        private HttpClient? _holder;

        private QueueApp(TestApp app, ActivityListener activities, Signal holding, Signal entered, Signal release, Func<Activity?> queuedActivity)
        {
            App = app;
            _activities = activities;
            Holding = holding;
            Entered = entered;
            Release = release;
            QueuedActivityOf = queuedActivity;
            MeterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
            _queued = new MetricCollector<long>(MeterFactory, "Microsoft.AspNetCore.RateLimiting", "aspnetcore.rate_limiting.queued_requests");
        }

        public TestApp App { get; }

        public IMeterFactory MeterFactory { get; }

        // The request that holds the permit is in its handler.
        public Signal Holding { get; }

        // The queued request got the permit and is in its handler (/queued-then-waits).
        public Signal Entered { get; }

        // Lets the request that holds the permit finish.
        public Signal Release { get; }

        // The hosting span of the queued request, seen by the first middleware.
        public Activity? QueuedActivity => QueuedActivityOf();

        private Func<Activity?> QueuedActivityOf { get; }

        public static async Task<QueueApp> StartAsync(bool global, HttpProtocols protocols, bool asynchronousBetween = false, bool tokenRoutes = false)
        {
            // Spans exist only when someone listens; this app's are told apart by the middleware that keeps them.
            var activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            };
            ActivitySource.AddActivityListener(activities);

            var holding = new Signal();
            var entered = new Signal();
            var release = new Signal();
            Activity? queuedActivity = null;
            var app = await TestApp.StartAsync(
                a =>
                {
                    if (asynchronousBetween)
                    {
                        a.Use(async (context, next) =>
                        {
                            await Task.Yield();
                            await next(context);
                        });
                    }

                    a.UseRateLimiter();
                    var hold = a.MapGet("/hold", async () =>
                    {
                        holding.Set();
                        await release.WaitAsync();
                        return "held";
                    });
                    var queued = a.MapGet("/queued", () => "ran");
                    var waits = a.MapGet("/queued-then-waits", async (HttpContext context) =>
                    {
                        entered.Set();
                        await Signal.WhenCancelled(context.RequestAborted);
                    });
                    if (!global)
                    {
                        hold.RequireRateLimiting(Policy);
                        queued.RequireRateLimiting(Policy);
                        waits.RequireRateLimiting(Policy);
                    }
                },
                configure: o => o.DefaultMeaning = tokenRoutes ? Status499Meaning.TokenRequired : Status499Meaning.ClientClosedRequest,
                configureBuilder: b => b.AddStaticTokens("good"),
                protocols: protocols,
                services: s => s.AddRateLimiter(o =>
                {
                    var limit = new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };
                    if (global)
                    {
                        o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetConcurrencyLimiter("all", _ => limit));
                    }
                    else
                    {
                        o.AddConcurrencyLimiter(Policy, c =>
                        {
                            c.PermitLimit = limit.PermitLimit;
                            c.QueueLimit = limit.QueueLimit;
                            c.QueueProcessingOrder = limit.QueueProcessingOrder;
                        });
                    }
                }),
                beforeStatus499: a => a.Use(async (context, next) =>
                {
                    if (context.Request.Path.StartsWithSegments("/queued"))
                    {
                        queuedActivity = Activity.Current;
                    }

                    await next(context);
                }));

            return new QueueApp(app, activities, holding, entered, release, () => queuedActivity);
        }

        // GET /hold over its own connection; completes when the test releases it.
        public Task<HttpResponseMessage> HoldThePermit()
        {
            _holder = new HttpClient { BaseAddress = App.BaseAddress };
            return _holder.GetAsync("/hold?token=good");
        }

        public Task WaitUntilQueuedAsync() => _queued.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));

        public async ValueTask DisposeAsync()
        {
            Release.Set();
            _queued.Dispose();
            _holder?.Dispose();
            await App.DisposeAsync();
            _activities.Dispose();
        }
    }
}
