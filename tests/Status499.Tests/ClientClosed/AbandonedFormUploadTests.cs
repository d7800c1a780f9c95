using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// Form uploads that the library reads itself (the token field on a token route, generateToken's credentials, the f of
// rest/info), abandoned or stalled by the client, on real Kestrel with real sockets. A client that leaves or stalls is
// never a server error: no Warning or Error in any category, Kestrel's included, and every observer sees the true status.
public sealed class AbandonedFormUploadTests
{
    private const string TokenRoute = "/secure";
    private const string GenerateToken = "/arcgis/tokens/generateToken";
    private const string RestInfo = "/arcgis/rest/info";
    private const int DeclaredLength = 55_000;
    private const int SentLength = 5_000;

    public static TheoryData<string, CloseMode> Uploads => new()
    {
        { TokenRoute, CloseMode.Reset },
        { TokenRoute, CloseMode.Fin },
        { GenerateToken, CloseMode.Reset },
        { GenerateToken, CloseMode.Fin },
        { RestInfo, CloseMode.Reset },
    };

    [Theory]
    [MemberData(nameof(Uploads))]
    public async Task Form_upload_abandoned_mid_body_is_recorded_as_499_and_logs_no_warning(string path, CloseMode mode)
    {
        var probe = new RequestBodyProbe(SentLength);
        var reached = false;
        await using var app = await StartAsync(probe, () => reached = true);

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync(FormUpload.Post(path, DeclaredLength, FormUpload.Body(SentLength)));
            await probe.Reading("1").WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        (await Signal.EventuallyAsync(() => app.StoppedConnections == 1)).Should().BeTrue("Kestrel ends the connection");
        app.WarningsAndErrors.Should().BeEmpty();
        app.Logs.GetSnapshot().Should().Contain(r => r.Category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && r.Message.Contains("StatusCode: 499"));
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty("a client that left sent no malformed request");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "TokenMalformed" || r.Id.Name == "TokenNotIssued");
        reached.Should().BeFalse();

        if (path == TokenRoute)
        {
            seen.Phase.Should().Be(ClientDisconnectPhase.RequestBody);
            seen.TokenOutcome.Should().Be(TokenOutcome.NotChecked);
            var measurement = app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Subject;
            measurement.Tags["status499.phase"].Should().Be("request_body");
            measurement.Tags["status499.meaning"].Should().Be("token_required");
            // When RequestAborted cancels the form read before the transport's reason reaches it, Kestrel's read stays in
            // progress and FIN or RST can no longer be read: then "the client went away", never a server ending.
            measurement.Tags["status499.termination"].Should().BeOneOf(mode == CloseMode.Fin ? "client_closed" : "client_reset", "client_aborted");
            app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest")
                .Which.Message.Should().Contain("in the request_body phase").And.Contain("recorded as 499");
        }
    }

    [Theory]
    [InlineData(TokenRoute)]
    [InlineData(GenerateToken)]
    public async Task Stalled_form_upload_is_answered_408_for_every_observer_and_logs_no_warning(string path)
    {
        var probe = new RequestBodyProbe(9);
        await using var app = await StartAsync(probe, () => { });

        using var client = await RawHttpClient.ConnectAsync(app.Port);
        await client.SendAsync(FormUpload.Post(path, 100, "token=abc"));
        await probe.Reading("1").WaitAsync();

        // Kestrel's MinRequestBodyDataRate (grace period shortened to 2 s below) gives up on the body.
        (await client.ReceiveToEndAsync()).Should().StartWith("HTTP/1.1 408 ").And.Contain("Connection: close");
        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(408);
        seen.EscapedException.Should().BeNull("a body that timed out is answered, not thrown");
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(408);
        (await Signal.EventuallyAsync(() => app.StoppedConnections == 1)).Should().BeTrue("Kestrel ends the connection");
        app.Logs.GetSnapshot().Should().Contain(r => r.Category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && r.Message.Contains("StatusCode: 408"));
        app.WarningsAndErrors.Should().BeEmpty();
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty();
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client is still there; it is too slow");
    }

    [Fact]
    public async Task Stalled_upload_read_by_an_endpoint_is_answered_408_for_every_observer_and_logs_no_warning()
    {
        var probe = new RequestBodyProbe(7);
        await using var app = await StartAsync(probe, () => { });

        using var client = await RawHttpClient.ConnectAsync(app.Port);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: localhost\r\nX-Probe: 1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\npartial");
        await probe.Reading("1").WaitAsync();

        (await client.ReceiveToEndAsync()).Should().StartWith("HTTP/1.1 408 ");
        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(408);
        seen.EscapedException.Should().BeNull();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(408);
        (await Signal.EventuallyAsync(() => app.StoppedConnections == 1)).Should().BeTrue("Kestrel ends the connection");
        app.Logs.GetSnapshot().Should().Contain(r => r.Category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && r.Message.Contains("StatusCode: 408"));
        app.WarningsAndErrors.Should().BeEmpty();
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
        seen.Termination.Should().Be(RequestTermination.ClientTooSlow);
        await TerminationAssertions.ServerEndedAsync(app, "client_too_slow", "request_body");
    }

    // generateToken, rest/info, a token route that reads the token from the form, and a plain endpoint that reads its body.
    private static Task<TestApp> StartAsync(RequestBodyProbe probe, Action reached)
        => TestApp.StartAsync(
            a =>
            {
                a.MapArcGisGenerateToken();
                a.MapArcGisRestInfo();
                a.MapPost(TokenRoute, () =>
                {
                    reached();
                    return "reached";
                }).RequireToken();
                a.MapPost("/upload", async (HttpContext context) =>
                {
                    using var reader = new StreamReader(context.Request.Body);
                    return (await reader.ReadToEndAsync(context.RequestAborted)).Length;
                });
            },
            configureBuilder: b => b.AddArcGisSignedTokens(o =>
            {
                o.AddUser("alice", "s3cret-Pa55word!");
            }),
            beforeStatus499: a => a.Use(probe.InvokeAsync),
            kestrel: k => k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2)));
}
