using Microsoft.AspNetCore.Http;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// TestServer has no Kestrel to turn an abort into 499 after the pipeline: only the library does it there.
public sealed class TestServerClientClosedRequestTests
{
    [Fact]
    public async Task Cancelled_request_whose_handler_honours_the_token_is_recorded_as_499_on_TestServer()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                entered.Set();
                await Task.Delay(Timeout.Infinite, ct);
            }),
            testServer: true);
        using var client = app.CreateTestServerClient();

        await ClientCancellation.CancelOnceEnteredAsync(client, "/slow", entered);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        seen.Meaning.Should().Be(Status499Meaning.ClientClosedRequest);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
    }

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
}
