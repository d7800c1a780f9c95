using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// Cancellation that the server caused is not a client closing the request.
public sealed class ServerSideAbortTests
{
    [Fact]
    public async Task Request_timeout_stays_504_and_is_not_counted()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/timeout", async (CancellationToken ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
            }).WithRequestTimeout(TimeSpan.FromMilliseconds(100)),
            services: s => s.AddRequestTimeouts(),
            beforeStatus499: a => { a.UseRouting(); a.UseRequestTimeouts(); });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/timeout");

        ((int)response.StatusCode).Should().Be(504);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(504);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
        (await app.Observer.WaitAsync()).Termination.Should().Be(RequestTermination.RequestTimeout);
        await TerminationAssertions.ServerEndedAsync(app, "request_timeout", "handler");
    }

    // UseRequestTimeouts() inside UseStatus499(): it answers 504 and removes its feature before UseStatus499() sees the
    // request again; the lifetime wrapper kept its token.
    [Fact]
    public async Task Request_timeout_placed_after_UseStatus499_stays_504_and_is_server_ended()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseRequestTimeouts();
                a.MapGet("/timeout", async (CancellationToken ct) =>
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }).WithRequestTimeout(TimeSpan.FromMilliseconds(100));
            },
            services: s => s.AddRequestTimeouts());
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/timeout");

        ((int)response.StatusCode).Should().Be(504);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(504);
        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(504);
        seen.Termination.Should().Be(RequestTermination.RequestTimeout);
        await TerminationAssertions.ServerEndedAsync(app, "request_timeout", "handler");
    }
}
