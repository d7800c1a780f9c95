using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// The server stopping is not a client leaving: when graceful shutdown ends with a request still running, Kestrel aborts
// it and HttpContext.RequestAborted fires, but the client is still there; nothing may be recorded as 499.
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Request_aborted_by_graceful_shutdown_is_not_recorded_as_499()
    {
        var entered = new Signal();
        var cancelled = new Signal();
        var app = await TestApp.StartAsync(a => a.MapGet("/report", async (HttpContext context) =>
        {
            entered.Set();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                cancelled.Set();
                throw;
            }
        }));
        await using (app)
        {
            using var client = await RawHttpClient.ConnectAsync(app.Port);
            await client.SendGetAsync("/report");
            await entered.WaitAsync();

            // The client stays connected; the server gives the request 200 ms to finish, then aborts it.
            await app.App.StopAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(15));
            await cancelled.WaitAsync();

            // Unchanged, as in a plain app: the handler's exception reaches outer middleware with the status untouched.
            // (Kestrel itself then records 499 in the hosting log and metric for any request aborted before its
            // response started, shutdown included: PlainAspNetCoreBaselineTests. That is not Status499's to change.)
            var seen = await app.Observer.WaitAsync();
            seen.Meaning.Should().Be(Status499Meaning.ClientClosedRequest, "the route is tracked, so the decision is the library's");
            seen.EscapedException.Should().BeAssignableTo<OperationCanceledException>("a server-side abort is not swallowed");
            seen.StatusCode.Should().NotBe(499);
            seen.Phase.Should().Be(ClientDisconnectPhase.None);
            await app.RequestDuration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
            app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
            app.Logs.GetSnapshot().Should().NotContain(r => r.Category != null && r.Category.StartsWith("Status499", StringComparison.Ordinal)
                && (r.Id.Name == "ClientClosedRequest" || r.Id.Name == "WorkAfterClientLeft"));
            seen.Termination.Should().Be(RequestTermination.ServerShutdown);
            await TerminationAssertions.ServerEndedAsync(app, "server_shutdown", "handler");
        }
    }

    [Fact]
    public async Task Http2_request_aborted_by_graceful_shutdown_is_server_shutdown()
    {
        var entered = new Signal();
        var app = await TestApp.StartAsync(
            a => a.MapGet("/report", async (HttpContext context) =>
            {
                entered.Set();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }),
            protocols: Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        await using (app)
        {
            using var h2 = new Http2Client(app.BaseAddress);
            var request = h2.Http.GetAsync("/report");
            await entered.WaitAsync();

            await app.App.StopAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(15));
            await FluentActions.Awaiting(() => request).Should().ThrowAsync<HttpRequestException>();

            var seen = await app.Observer.WaitAsync();
            seen.StatusCode.Should().NotBe(499);
            seen.Termination.Should().Be(RequestTermination.ServerShutdown);
            await TerminationAssertions.ServerEndedAsync(app, "server_shutdown", "handler");
        }
    }

    // A handler that ignores the token and returns once aborted: recorded from the token alone, still not the client.
    [Fact]
    public async Task Handler_ignoring_the_token_aborted_by_shutdown_is_server_shutdown()
    {
        var entered = new Signal();
        var app = await TestApp.StartAsync(a => a.MapGet("/report", async (HttpContext context) =>
        {
            entered.Set();
            await Signal.WhenCancelled(context.RequestAborted);
        }));
        await using (app)
        {
            using var client = await RawHttpClient.ConnectAsync(app.Port);
            await client.SendGetAsync("/report");
            await entered.WaitAsync();

            await app.App.StopAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(15));

            (await app.Observer.WaitAsync()).Termination.Should().Be(RequestTermination.ServerShutdown);
            await TerminationAssertions.ServerEndedAsync(app, "server_shutdown", "handler");
        }
    }
}
