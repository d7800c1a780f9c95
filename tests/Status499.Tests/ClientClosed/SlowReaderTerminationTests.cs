using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// The 24 MB row: Kestrel cuts a client that reads slower than MinResponseDataRate. The handler's writes then
// complete without an exception, and RequestAborted may never fire (the last Content-Length byte was handed over), so
// without the response probe the request passed as a plain 200, or, by race, as "the client closed". Repeated in
// each test: every run must say client_too_slow, in the response phase, on the server-ended counter.
public sealed class SlowReaderTerminationTests
{
    private const int ResponseBytes = 24 * 1024 * 1024;
    private const int Runs = 3;

    public enum Writing
    {
        ContentLengthSingleWrite,
        Chunked,
    }

    [Theory]
    [InlineData(Writing.ContentLengthSingleWrite)]
    [InlineData(Writing.Chunked)]
    public async Task Http1_slow_reader_cut_by_the_server_is_client_too_slow_in_every_run(Writing writing)
    {
        await using var app = await StartAsync(writing, HttpProtocols.Http1);

        for (var run = 1; run <= Runs; run++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, app.Port));
            await socket.SendAsync("GET /report HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), SocketFlags.None);

            // The client never reads; Kestrel gives up after the grace period.
            (await Signal.EventuallyAsync(() => app.Observer.All.Count == run)).Should().BeTrue($"run {run} ends");
        }

        app.Observer.All.Should().OnlyContain(o => o.StatusCode == 200 && o.Termination == RequestTermination.ClientTooSlow && o.Phase == ClientDisconnectPhase.None);
        await TerminationAssertions.ServerEndedAsync(app, "client_too_slow", "response", count: Runs);
    }

    // HTTP/2 is left out: an HttpClient that never reads the content did not get cut within 15 s here (Kestrel times
    // flow-control waits, but SocketsHttpHandler's buffering kept the stream moving); docs/client-closed.md says so.
    private static Task<TestApp> StartAsync(Writing writing, HttpProtocols protocols)
    {
        var body = new byte[ResponseBytes];
        return TestApp.StartAsync(
            a => a.MapGet("/report", async (HttpContext context) =>
            {
                if (writing == Writing.ContentLengthSingleWrite)
                {
                    context.Response.ContentLength = body.Length;
                    await context.Response.Body.WriteAsync(body, CancellationToken.None);
                    return;
                }

                for (var offset = 0; offset < body.Length; offset += 64 * 1024)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(offset, 64 * 1024), CancellationToken.None);
                }
            }),
            protocols: protocols,
            kestrel: k => k.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 10 * 1024 * 1024, gracePeriod: TimeSpan.FromSeconds(2)));
    }
}
