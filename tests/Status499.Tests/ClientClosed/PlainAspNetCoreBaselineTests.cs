using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// What an unchanged ASP.NET Core app records for the same disconnects ("plain" in docs/client-closed.md's table).
// If a framework release changes this, these tests say so and that table must follow. They run on .NET 8, 9 and 10
// (the test project targets all three) and each runtime records the same: Kestrel sets 499 for a request aborted
// before its response started, after the whole pipeline returned, and passes no exception to hosting for it, so the
// hosting metric has no error.type (ProcessRequests in
// https://github.com/dotnet/aspnetcore/blob/main/src/Servers/Kestrel/Core/src/Internal/Http/HttpProtocol.cs).
public sealed class PlainAspNetCoreBaselineTests
{
    private static async Task<(WebApplication App, OuterObserver Observer, MetricCollector<double> Duration, int Port)> StartPlainAsync(
        Action<WebApplication> map, Action<KestrelServerOptions>? kestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            kestrel?.Invoke(k);
        });
        var app = builder.Build();
        var observer = new OuterObserver();
        app.Use(observer.InvokeAsync);
        map(app);
        var duration = new MetricCollector<double>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Microsoft.AspNetCore.Hosting", "http.server.request.duration");
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return (app, observer, duration, port);
    }

    [Fact]
    public async Task Plain_app_records_200_for_a_handler_that_ignores_the_token()
    {
        var entered = new Signal();
        var (app, observer, duration, port) = await StartPlainAsync(a => a.MapGet("/ignores", async (HttpContext context) =>
        {
            entered.Set();
            await Signal.WhenCancelled(context.RequestAborted);
            await context.Response.WriteAsync("late");
        }));
        await using (app)
        using (duration)
        {
            using (var client = await RawHttpClient.ConnectAsync(port))
            {
                await client.SendGetAsync("/ignores");
                await entered.WaitAsync();
                client.Close(CloseMode.Reset);
            }

            (await observer.WaitAsync()).StatusCode.Should().Be(200);
            await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().Be(200);
        }
    }

    [Fact]
    public async Task Plain_app_lets_outer_middleware_see_the_exception_but_Kestrel_records_499()
    {
        var entered = new Signal();
        var (app, observer, duration, port) = await StartPlainAsync(a => a.MapGet("/slow", async (CancellationToken ct) =>
        {
            entered.Set();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using (app)
        using (duration)
        {
            using (var client = await RawHttpClient.ConnectAsync(port))
            {
                await client.SendGetAsync("/slow");
                await entered.WaitAsync();
                client.Close(CloseMode.Reset);
            }

            var seen = await observer.WaitAsync();
            seen.EscapedException.Should().BeAssignableTo<OperationCanceledException>();
            seen.StatusCode.Should().Be(200, "outer middleware run before Kestrel sets 499");
            await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            var tags = duration.GetMeasurementSnapshot()[0].Tags;
            tags["http.response.status_code"].Should().Be(499);
            tags.Should().NotContainKey("error.type", "Kestrel logs the abort as RequestAborted, not as an application error");
        }
    }

    [Fact]
    public async Task Plain_app_records_an_upload_abort_as_500_or_499_depending_on_a_race()
    {
        var entered = new Signal();
        var (app, observer, duration, port) = await StartPlainAsync(a => a.MapPost("/upload", async (HttpContext context) =>
        {
            entered.Set();
            using var reader = new StreamReader(context.Request.Body);
            return (await reader.ReadToEndAsync(context.RequestAborted)).Length;
        }));
        await using (app)
        using (duration)
        {
            using (var client = await RawHttpClient.ConnectAsync(port))
            {
                await client.SendAsync("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\npartial");
                await entered.WaitAsync();
                client.Close(CloseMode.Reset);
            }

            var seen = await observer.WaitAsync();
            seen.EscapedException.Should().Match<Exception>(e => e is IOException || e is OperationCanceledException);
            seen.StatusCode.Should().Be(200);
            await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().BeOneOf(
                [500, 499], "Kestrel reports the escaping IOException as an application error (500) unless it has already seen the abort; which comes first is a race");
        }
    }

    [Fact]
    public async Task Plain_app_logs_a_stalled_upload_as_an_application_error_and_outer_middleware_see_200()
    {
        var (app, observer, duration, port) = await StartPlainAsync(
            a => a.MapPost("/upload", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                return (await reader.ReadToEndAsync(context.RequestAborted)).Length;
            }),
            k => k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2)));
        await using (app)
        using (duration)
        {
            using var client = await RawHttpClient.ConnectAsync(port);
            await client.SendAsync("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\npartial");

            (await client.ReceiveToEndAsync()).Should().StartWith("HTTP/1.1 408 ");
            var seen = await observer.WaitAsync();
            seen.EscapedException.Should().BeAssignableTo<Microsoft.AspNetCore.Http.BadHttpRequestException>().Which.StatusCode.Should().Be(408);
            seen.StatusCode.Should().Be(200, "Kestrel sets 408 only after the pipeline has returned");
            await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().Be(408);
            app.Services.GetFakeLogCollector().GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error
                && r.Category == "Microsoft.AspNetCore.Server.Kestrel" && r.Message.Contains("An unhandled exception was thrown by the application"));
        }
    }

    [Fact]
    public async Task Plain_app_records_a_mid_stream_abort_with_the_status_that_was_sent()
    {
        var (app, observer, duration, port) = await StartPlainAsync(a => a.MapGet("/stream", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("first chunk\n");
            await context.Response.Body.FlushAsync();
            await Signal.WhenCancelled(context.RequestAborted);
            await context.Response.WriteAsync("second chunk\n", context.RequestAborted);
        }));
        await using (app)
        using (duration)
        {
            using (var client = await RawHttpClient.ConnectAsync(port))
            {
                await client.SendGetAsync("/stream");
                await client.ReceiveUntilAsync("first chunk");
                client.Close(CloseMode.Reset);
            }

            var seen = await observer.WaitAsync();
            seen.EscapedException.Should().BeAssignableTo<OperationCanceledException>();
            seen.StatusCode.Should().Be(200);
            await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().Be(200);
        }
    }

    [Fact]
    public async Task Plain_TestServer_app_never_records_499_for_a_cancelled_request()
    {
        var entered = new Signal();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        var observer = new OuterObserver();
        app.Use(observer.InvokeAsync);
        app.MapGet("/slow", async (CancellationToken ct) =>
        {
            entered.Set();
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var duration = new MetricCollector<double>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Microsoft.AspNetCore.Hosting", "http.server.request.duration");
        await app.StartAsync();
        using var client = app.GetTestClient();

        await ClientCancellation.CancelOnceEnteredAsync(client, "/slow", entered);

        var seen = await observer.WaitAsync();
        seen.EscapedException.Should().BeAssignableTo<OperationCanceledException>();
        seen.StatusCode.Should().Be(200);
        await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().NotBe(499);
    }
}
