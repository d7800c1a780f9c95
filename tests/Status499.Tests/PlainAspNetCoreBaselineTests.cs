using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests;

// What an unchanged ASP.NET Core app records for the same disconnects (the "plain" column of the README table).
// If a framework release changes this, these tests say so and the README must follow.
public sealed class PlainAspNetCoreBaselineTests
{
    private static async Task<(WebApplication App, OuterObserver Observer, MetricCollector<double> Duration, int Port)> StartPlainAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
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
            duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"].Should().Be(499);
        }
    }
}
