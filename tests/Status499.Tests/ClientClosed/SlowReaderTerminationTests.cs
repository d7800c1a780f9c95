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

        await StallReadersAsync(app, "GET /report HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());

        app.Observer.All.Should().OnlyContain(o => o.StatusCode == 200 && o.Termination == RequestTermination.ClientTooSlow && o.Phase == ClientDisconnectPhase.None);
        await TerminationAssertions.ServerEndedAsync(app, "client_too_slow", "response", count: Runs);
    }

    // HTTP/2: a raw client opens its windows wide (so flow control never holds Kestrel back) and then never reads the
    // socket, as a stalled reader behind a large window does. (An HttpClient that never reads the content is not cut:
    // SocketsHttpHandler keeps reading the connection into its buffers, and its window closes the stream first.)
    // Kestrel cuts the connection for MinResponseDataRate and the stream's writes complete as on HTTP/1.1, so the
    // response probe finds it cut every run: never a silent 200. Who cut it is not always known: Kestrel's
    // Http2Connection.Abort closes the connection before the abort reason reaches its read loop, and when the loop
    // sees the close first it aborts the streams with a bare "The HTTP/2 connection faulted.", exactly what a client's
    // FIN leaves (seen in about two runs of three here). Those runs are client_closed; the others client_too_slow
    // (docs/client-closed.md, known limits).
    [Theory]
    [InlineData(Writing.ContentLengthSingleWrite)]
    [InlineData(Writing.Chunked)]
    public async Task Http2_slow_reader_cut_by_the_server_is_never_a_silent_200(Writing writing)
    {
        await using var app = await StartAsync(writing, HttpProtocols.Http2);

        await StallReadersAsync(app, Http2WideOpenGet("/report"));

        app.Observer.All.Should().OnlyContain(o => o.StatusCode == 200, "the status sent stays");
        app.Observer.All.Should().OnlyContain(o => o.Termination == RequestTermination.ClientTooSlow || o.Termination == RequestTermination.ClientClosed);
        (await Signal.EventuallyAsync(() =>
                app.ClientClosedRequests.GetMeasurementSnapshot().Count + app.ServerEndedRequests.GetMeasurementSnapshot().Count == Runs))
            .Should().BeTrue("every run is recorded as ended early, in the response phase");
        app.ServerEndedRequests.GetMeasurementSnapshot()
            .Where(m => (string?)m.Tags["status499.termination"] != "client_too_slow" || (string?)m.Tags["status499.phase"] != "response").Should().BeEmpty();
        app.ClientClosedRequests.GetMeasurementSnapshot().Where(m => (string?)m.Tags["status499.phase"] != "response").Should().BeEmpty();
    }

    // Runs clients one after another that send the request and never read: each ends when Kestrel gives up on it after
    // the grace period.
    private static async Task StallReadersAsync(TestApp app, byte[] request)
    {
        for (var run = 1; run <= Runs; run++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, app.Port));
            await socket.SendAsync(request, SocketFlags.None);
            (await Signal.EventuallyAsync(() => app.Observer.All.Count == run)).Should().BeTrue($"run {run} ends");
        }
    }

    // The connection preface, SETTINGS with the largest stream window, a WINDOW_UPDATE that opens the connection's as
    // wide, and a GET on stream 1 (HPACK: indexed :method GET and :scheme http, literal :path and :authority; RFC 9113
    // and RFC 7541).
    private static byte[] Http2WideOpenGet(string path)
    {
        var frames = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        AddFrame(frames, type: 0x4, flags: 0, streamId: 0, [0x00, 0x04, 0x7F, 0xFF, 0xFF, 0xFF]);
        AddFrame(frames, type: 0x8, flags: 0, streamId: 0, BigEndian(int.MaxValue - 65_535));
        var block = new List<byte> { 0x82, 0x86, 0x04, (byte)path.Length };
        block.AddRange(System.Text.Encoding.ASCII.GetBytes(path));
        block.AddRange([0x01, 9]);
        block.AddRange("localhost"u8.ToArray());
        AddFrame(frames, type: 0x1, flags: 0x1 | 0x4, streamId: 1, [.. block]);
        return [.. frames];
    }

    private static void AddFrame(List<byte> frames, byte type, byte flags, int streamId, byte[] payload)
    {
        frames.AddRange([(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags]);
        frames.AddRange(BigEndian(streamId));
        frames.AddRange(payload);
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

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
