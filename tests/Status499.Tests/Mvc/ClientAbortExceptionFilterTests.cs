using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.Mvc;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Mvc;

// An MVC app with a global exception filter that logs every exception it sees at Error and answers 500, as ABP's
// AbpExceptionFilter does. A client that leaves must not reach it: not the OperationCanceledException of an action
// that honours the token, not the IOException of model binding reading a body the client stopped sending.
public sealed class ClientAbortExceptionFilterTests
{
    public enum FilterKind
    {
        Sync,
        Async,
    }

    public static TheoryData<FilterKind, int, string, HttpProtocols> ClientAborts => new()
    {
        { FilterKind.Sync, 0, "cancellation-token", HttpProtocols.Http1 },
        { FilterKind.Async, 0, "request-aborted", HttpProtocols.Http1 },
        { FilterKind.Sync, int.MinValue, "request-aborted", HttpProtocols.Http1 },
        { FilterKind.Async, int.MaxValue, "cancellation-token", HttpProtocols.Http1 },
        { FilterKind.Sync, int.MaxValue, "cancellation-token", HttpProtocols.Http2 },
        { FilterKind.Async, int.MinValue, "request-aborted", HttpProtocols.Http2 },
    };

    [Theory]
    [MemberData(nameof(ClientAborts))]
    public async Task Client_that_leaves_an_action_never_reaches_the_apps_exception_filter(FilterKind kind, int order, string action, HttpProtocols protocols)
    {
        var probe = new FilterProbe();
        await using var app = await StartAsync(probe, kind, order, protocols);

        await LeaveAsync(app, probe, $"/mvc-exception-filters/{action}", protocols);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        var counted = app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        counted.Tags["status499.phase"].Should().Be("handler");
        counted.Tags["http.route"].Should().Be($"mvc-exception-filters/{action}");
        probe.Seen.Should().BeEmpty("the client's abort is kept away from the app's exception filters");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Client_that_leaves_during_model_binding_never_reaches_the_apps_exception_filter(CloseMode mode)
    {
        const string PartialBody = """{"items":[1,2,3""";
        var probe = new FilterProbe();
        var body = new RequestBodyProbe(PartialBody.Length);
        await using var app = await StartAsync(probe, FilterKind.Async, order: 0, beforeStatus499: a => a.Use(body.InvokeAsync));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync(
                "POST /mvc-exception-filters/body HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                $"Content-Length: 100000\r\nX-Probe: body\r\n\r\n{PartialBody}");
            await body.Reading("body").WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        seen.Phase.Should().Be(ClientDisconnectPhase.RequestBody, "the middleware sees the body read's own exception");
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags["status499.phase"].Should().Be("request_body");
        probe.Seen.Should().BeEmpty();
        (await Signal.EventuallyAsync(() => app.StoppedConnections == 1)).Should().BeTrue();
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error, "nor does Kestrel fail to drain the lost body");
    }

    [Theory]
    [InlineData(FilterKind.Sync)]
    [InlineData(FilterKind.Async)]
    public async Task Client_that_leaves_a_razor_page_never_reaches_the_apps_exception_filter(FilterKind kind)
    {
        var probe = new FilterProbe();
        await using var app = await StartAsync(probe, kind, order: 0, pages: true);

        await LeaveAsync(app, probe, "/mvc-exception-filters-page/leave", HttpProtocols.Http1);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle();
        probe.Seen.Should().BeEmpty();
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error);
    }

    // What the filter does without Status499's part: it logs the client's abort as an Error (the problem, measured).
    [Theory]
    [InlineData(FilterKind.Sync)]
    [InlineData(FilterKind.Async)]
    public async Task Without_Status499s_filter_the_apps_exception_filter_logs_the_abort_as_an_error(FilterKind kind)
    {
        var probe = new FilterProbe();
        await using var app = await StartAsync(probe, kind, order: 0, services: RemoveStatus499MvcSetup);

        await LeaveAsync(app, probe, "/mvc-exception-filters/cancellation-token", HttpProtocols.Http1);

        await app.Observer.WaitAsync();
        (await Signal.EventuallyAsync(() => !probe.Seen.IsEmpty)).Should().BeTrue();
        probe.Seen.Should().ContainSingle().Which.Should().BeAssignableTo<OperationCanceledException>();
        app.Logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Category == typeof(LoggingExceptionFilter).FullName);
    }

    // A route the app took away from Status499 is left as MVC has it: the app's filter sees the abort.
    [Fact]
    public async Task Client_that_leaves_a_route_without_Status499_still_reaches_the_apps_exception_filter()
    {
        var probe = new FilterProbe();
        await using var app = await StartAsync(probe, FilterKind.Sync, order: 0);

        await LeaveAsync(app, probe, "/mvc-exception-filters/disabled", HttpProtocols.Http1);

        (await Signal.EventuallyAsync(() => !probe.Seen.IsEmpty)).Should().BeTrue();
        probe.Seen.Should().ContainSingle().Which.Should().BeAssignableTo<OperationCanceledException>();
        (await app.Observer.WaitAsync()).Meaning.Should().Be(Status499Meaning.None);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
    }

    // Every other ending still reaches the app's filter: an exception of the action's own, an OperationCanceledException
    // of its own timeout while the client waits, and a UseRequestTimeouts() timeout (the server gave up, not the client).
    [Theory]
    [InlineData(FilterKind.Sync, "fails", typeof(InvalidOperationException))]
    [InlineData(FilterKind.Async, "fails", typeof(InvalidOperationException))]
    [InlineData(FilterKind.Sync, "own-timeout", typeof(TaskCanceledException))]
    [InlineData(FilterKind.Async, "own-timeout", typeof(TaskCanceledException))]
    [InlineData(FilterKind.Async, "request-aborted", typeof(TaskCanceledException))]
    public async Task Other_exceptions_still_reach_the_apps_exception_filter(FilterKind kind, string action, Type expected)
    {
        var probe = new FilterProbe();
        var requestTimeout = action == "request-aborted";
        await using var app = await StartAsync(
            probe,
            kind,
            order: 0,
            beforeStatus499: requestTimeout ? a => a.UseRequestTimeouts() : null,
            services: requestTimeout
                ? s => s.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = TimeSpan.FromMilliseconds(100) })
                : null);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync($"/mvc-exception-filters/{action}");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError, "the app's filter answered it");
        probe.Seen.Should().ContainSingle().Which.Should().BeOfType(expected);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error && r.Category == typeof(LoggingExceptionFilter).FullName);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
    }

    private static async Task LeaveAsync(TestApp app, FilterProbe probe, string path, HttpProtocols protocols)
    {
        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler)
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = protocols == HttpProtocols.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        await ClientCancellation.CancelOnceEnteredAsync(http, path, probe.Entered);
    }

    private static Task<TestApp> StartAsync(
        FilterProbe probe,
        FilterKind kind,
        int order,
        HttpProtocols protocols = HttpProtocols.Http1,
        Action<WebApplication>? beforeStatus499 = null,
        Action<IServiceCollection>? services = null,
        bool pages = false)
        => TestApp.StartAsync(
            a =>
            {
                if (pages)
                {
                    a.MapRazorPages();
                }
                else
                {
                    a.MapControllers();
                }
            },
            configureBuilder: b => b.AddStaticTokens("good"), // other test controllers in this assembly require tokens
            protocols: protocols,
            beforeStatus499: beforeStatus499,
            services: s =>
            {
                s.AddSingleton(probe);
                s.AddSingleton<LoggingExceptionFilter>();
                s.AddSingleton<AsyncLoggingExceptionFilter>();
                var mvc = pages ? s.AddRazorPages() : s.AddControllers();
                mvc.AddApplicationPart(typeof(ExceptionFilterTestController).Assembly).AddMvcOptions(o =>
                {
                    if (kind == FilterKind.Sync)
                    {
                        o.Filters.AddService<LoggingExceptionFilter>(order);
                    }
                    else
                    {
                        o.Filters.AddService<AsyncLoggingExceptionFilter>(order);
                    }
                });
                services?.Invoke(s);
            });

    // The mutation: the app as it would be without Status499's MVC part.
    private static void RemoveStatus499MvcSetup(IServiceCollection services)
    {
        var removed = 0;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IPostConfigureOptions<MvcOptions>) && services[i].ImplementationType == typeof(Status499MvcOptionsSetup))
            {
                services.RemoveAt(i);
                removed++;
            }
        }

        removed.Should().Be(1);
    }
}

public sealed class FilterProbe
{
    public Signal Entered { get; } = new();

    public ConcurrentQueue<Exception> Seen { get; } = new();
}

// The common pattern: log whatever reaches the filter as an Error and answer 500 (ABP's AbpExceptionFilter does both).
public sealed class LoggingExceptionFilter : IExceptionFilter
{
    private static readonly Action<ILogger, string?, Exception?> LogUnhandled
        = LoggerMessage.Define<string?>(LogLevel.Error, new EventId(1, "UnhandledException"), "Unhandled exception in {Action}");

    private readonly FilterProbe _probe;
    private readonly ILogger<LoggingExceptionFilter> _logger;

    public LoggingExceptionFilter(FilterProbe probe, ILogger<LoggingExceptionFilter> logger)
    {
        _probe = probe;
        _logger = logger;
    }

    public void OnException(ExceptionContext context)
    {
        _probe.Seen.Enqueue(context.Exception);
        LogUnhandled(_logger, context.ActionDescriptor.DisplayName, context.Exception);
        context.Result = new ObjectResult(new { error = "internal" }) { StatusCode = StatusCodes.Status500InternalServerError };
        context.ExceptionHandled = true;
    }
}

public sealed class AsyncLoggingExceptionFilter : IAsyncExceptionFilter
{
    private readonly LoggingExceptionFilter _inner;

    public AsyncLoggingExceptionFilter(FilterProbe probe, ILogger<LoggingExceptionFilter> logger) => _inner = new LoggingExceptionFilter(probe, logger);

    public async Task OnExceptionAsync(ExceptionContext context)
    {
        await Task.Yield();
        _inner.OnException(context);
    }
}

public sealed record ExceptionFilterTestPayload(int[] Items);

[ApiController]
[Route("mvc-exception-filters")]
public sealed class ExceptionFilterTestController : ControllerBase
{
    [HttpGet("cancellation-token")]
    public async Task<string> HonoursCancellationToken([FromServices] FilterProbe probe, CancellationToken cancellationToken)
    {
        probe.Entered.Set();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "never";
    }

    [HttpGet("request-aborted")]
    public async Task<string> HonoursRequestAborted([FromServices] FilterProbe probe)
    {
        probe.Entered.Set();
        await Task.Delay(Timeout.Infinite, HttpContext.RequestAborted);
        return "never";
    }

    [HttpGet("disabled")]
    [DisableStatus499]
    public async Task<string> Disabled([FromServices] FilterProbe probe, CancellationToken cancellationToken)
    {
        probe.Entered.Set();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "never";
    }

    [HttpPost("body")]
    public int Body(ExceptionFilterTestPayload payload) => payload.Items.Length;

    [HttpGet("fails")]
    public string Fails() => throw new InvalidOperationException("a real failure");

    [HttpGet("own-timeout")]
    public async Task<string> OwnTimeout(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(50));
        await Task.Delay(Timeout.Infinite, timeout.Token);
        return "never";
    }
}
