using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests;

// TestServer has no Kestrel to turn an abort into 499 after the pipeline: only the library does it there.
public sealed class TestServerClientClosedRequestTests
{
#if NET10_0_OR_GREATER // the sample is a net10.0 app (see Status499.Tests.csproj)
    [Fact]
    public async Task Cancelled_request_to_the_sample_is_recorded_as_499()
    {
        var observer = new OuterObserver();
        var entered = new Signal();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton<IStartupFilter>(new OuterObserverStartupFilter(observer, entered))));
        using var client = factory.CreateClient();

        await ClientCancellation.CancelOnceEnteredAsync(client, "/slow", entered);

        var seen = await observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        seen.Meaning.Should().Be(Status499Meaning.ClientClosedRequest);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
    }
#endif

    [Fact]
    public async Task Handler_that_ignores_the_token_is_recorded_as_499_on_TestServer()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/ignores", async (HttpContext context) =>
            {
                entered.Set();
                await Signal.WhenCancelled(context.RequestAborted);
                await context.Response.WriteAsync("late");
            }),
            testServer: true);
        using var client = app.CreateTestServerClient();

        await ClientCancellation.CancelOnceEnteredAsync(client, "/ignores", entered);

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle();
    }

    [Fact]
    public async Task Log_level_of_the_client_closed_event_is_configurable()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                entered.Set();
                await Task.Delay(Timeout.Infinite, ct);
            }),
            o => o.ClientClosedRequestLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            testServer: true);
        using var client = app.CreateTestServerClient();

        await ClientCancellation.CancelOnceEnteredAsync(client, "/slow", entered);

        await app.Observer.WaitAsync();
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest" && r.Id.Id == 1)
            .Which.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
    }

#if NET10_0_OR_GREATER
    private sealed class OuterObserverStartupFilter(OuterObserver observer, Signal entered) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                entered.Set();
                await observer.InvokeAsync(context, nextMiddleware);
            });
            next(app);
        };
    }
#endif
}
