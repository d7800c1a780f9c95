using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ArcGisServer;

// A client that leaves while generateToken's issuer works: the same "client is gone" rule as everywhere else, so an
// issuer that honours the cancellation ends in a quiet 499, and an issuer that fails for its own reasons is still an
// issuer failure.
public sealed class ArcGisGenerateTokenClientAbortTests
{
    private const string Path = "/arcgis/tokens/generateToken";

    [Fact]
    public async Task Client_that_leaves_while_the_issuer_works_is_recorded_as_499_and_logs_no_warning()
    {
        var issuer = new WaitingIssuer(fail: false);
        await using var app = await StartAsync(issuer);

        await PostThenResetAsync(app, issuer);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        (await Signal.EventuallyAsync(() => app.StoppedConnections == 1)).Should().BeTrue("Kestrel ends the connection");
        app.WarningsAndErrors.Should().BeEmpty();
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "TokenIssuerFailed");
    }

    [Fact]
    public async Task Issuer_that_fails_for_its_own_reason_after_the_client_left_is_still_an_issuer_failure()
    {
        var issuer = new WaitingIssuer(fail: true);
        await using var app = await StartAsync(issuer);

        await PostThenResetAsync(app, issuer);

        await app.Observer.WaitAsync();
        (await Signal.EventuallyAsync(() => app.Logs.GetSnapshot().Any(r => r.Id.Name == "TokenIssuerFailed")))
            .Should().BeTrue("only an abort exception means the client is gone, not any exception thrown after it left");
    }

    private static Task<TestApp> StartAsync(WaitingIssuer issuer)
        => TestApp.StartAsync(a => a.MapArcGisGenerateToken(), services: s => s.AddSingleton<ITokenIssuer>(issuer));

    private static async Task PostThenResetAsync(TestApp app, WaitingIssuer issuer)
    {
        const string Body = "username=alice&password=pw&f=json";
        using var client = await RawHttpClient.ConnectAsync(app.Port);
        await client.SendAsync($"POST {Path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {Body.Length}\r\n\r\n{Body}");
        await issuer.Entered.WaitAsync();
        client.Close(CloseMode.Reset);
    }

    // Waits for the request's cancellation, then honours it (OperationCanceledException) or fails for another reason.
    private sealed class WaitingIssuer(bool fail) : ITokenIssuer
    {
        public Signal Entered { get; } = new();

        public async ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request)
        {
            Entered.Set();
            await Signal.WhenCancelled(request.CancellationToken);
            if (fail)
            {
                throw new InvalidOperationException("the user store is down");
            }

            request.CancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }
}
