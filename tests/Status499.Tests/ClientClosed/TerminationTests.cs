using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// status499.termination on real Kestrel: who ended the request, over HTTP/1.1 (raw sockets that close or reset) and
// HTTP/2 (h2c with prior knowledge, a socket the test holds).
public sealed class TerminationTests
{
    [Theory]
    [InlineData(CloseMode.Fin, "client_closed", RequestTermination.ClientClosed)]
    [InlineData(CloseMode.Reset, "client_reset", RequestTermination.ClientReset)]
    public async Task Http1_client_fin_and_rst_are_told_apart(CloseMode mode, string termination, RequestTermination expected)
    {
        using var listener = TerminationAssertions.ListenToHosting();
        Activity? span = null;
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/slow", async (CancellationToken ct) =>
        {
            span = Activity.Current;
            entered.Set();
            await Task.Delay(Timeout.Infinite, ct);
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/slow");
            await entered.WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.Termination.Should().Be(expected);
        await TerminationAssertions.ClientClosedAsync(app, termination, "handler");
        TerminationAssertions.SpanTag(span, termination);
    }

    [Theory]
    [InlineData(CloseMode.Fin, "client_closed")]
    [InlineData(CloseMode.Reset, "client_reset")]
    public async Task Http1_client_that_leaves_a_handler_ignoring_the_token_is_told_apart(CloseMode mode, string termination)
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/ignores", async (HttpContext context) =>
        {
            entered.Set();
            await Signal.WhenCancelled(context.RequestAborted);
            return "late";
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/ignores");
            await entered.WaitAsync();
            client.Close(mode);
        }

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        await TerminationAssertions.ClientClosedAsync(app, termination, "handler");
    }

    [Theory]
    [InlineData(CloseMode.Fin, "client_closed")]
    [InlineData(CloseMode.Reset, "client_reset")]
    public async Task Http2_connection_fin_and_rst_end_every_stream_on_it_as_the_client(CloseMode mode, string termination)
    {
        var entered = 0;
        var bothEntered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow/{n}", async (CancellationToken ct) =>
            {
                if (Interlocked.Increment(ref entered) == 2)
                {
                    bothEntered.Set();
                }

                await Task.Delay(Timeout.Infinite, ct);
            }),
            protocols: HttpProtocols.Http2);
        using var h2 = new Http2Client(app.BaseAddress);

        var first = h2.Http.GetAsync("/slow/1");
        var second = h2.Http.GetAsync("/slow/2");
        await bothEntered.WaitAsync();
        h2.Close(mode);
        await FluentActions.Awaiting(() => first).Should().ThrowAsync<HttpRequestException>();
        await FluentActions.Awaiting(() => second).Should().ThrowAsync<HttpRequestException>();

        (await Signal.EventuallyAsync(() => app.Observer.All.Count == 2)).Should().BeTrue();
        app.Observer.All.Should().OnlyContain(o => o.StatusCode == 499);
        await TerminationAssertions.ClientClosedAsync(app, termination, "handler", count: 2);
    }

    [Fact]
    public async Task Http2_stream_reset_is_client_stream_reset()
    {
        using var listener = TerminationAssertions.ListenToHosting();
        Activity? span = null;
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                span = Activity.Current;
                entered.Set();
                await Task.Delay(Timeout.Infinite, ct);
            }),
            protocols: HttpProtocols.Http2);
        using var h2 = new Http2Client(app.BaseAddress);

        await ClientCancellation.CancelOnceEnteredAsync(h2.Http, "/slow", entered);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.Termination.Should().Be(RequestTermination.ClientStreamReset);
        await TerminationAssertions.ClientClosedAsync(app, "client_stream_reset", "handler");
        TerminationAssertions.SpanTag(span, "client_stream_reset");
    }

    // HttpContext.Abort() is the app's own ending: never a client-closed request, whether the handler returns at once
    // (RequestAborted has not fired yet) or awaits long enough for it to fire.
    [Theory]
    [InlineData(HttpProtocols.Http1, 0)]
    [InlineData(HttpProtocols.Http1, 200)]
    [InlineData(HttpProtocols.Http2, 0)]
    [InlineData(HttpProtocols.Http2, 200)]
    public async Task Application_abort_is_recorded_as_the_servers_doing(HttpProtocols protocol, int awaitAfterMs)
    {
        using var listener = TerminationAssertions.ListenToHosting();
        Activity? span = null;
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/abort", async (HttpContext context) =>
            {
                span = Activity.Current;
                context.Abort();
                if (awaitAfterMs > 0)
                {
                    await Task.Delay(awaitAfterMs, CancellationToken.None);
                }
            }),
            protocols: protocol);

        await SendAndExpectAbortAsync(app, protocol, "/abort");

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().NotBe(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.None, "the client did not go away");
        seen.Termination.Should().Be(RequestTermination.ApplicationAbort);
        await TerminationAssertions.ServerEndedAsync(app, "application_abort", "handler");
        TerminationAssertions.SpanTag(span, "application_abort");
    }

    [Fact]
    public async Task Http2_stream_reset_by_the_application_is_an_application_abort()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/reset", async (HttpContext context) =>
            {
                context.Features.Get<IHttpResetFeature>()!.Reset(8);
                await Signal.WhenCancelled(context.RequestAborted);
            }),
            protocols: HttpProtocols.Http2);

        await SendAndExpectAbortAsync(app, HttpProtocols.Http2, "/reset");

        (await app.Observer.WaitAsync()).Termination.Should().Be(RequestTermination.ApplicationAbort);
        await TerminationAssertions.ServerEndedAsync(app, "application_abort", "handler");
    }

    private static async Task SendAndExpectAbortAsync(TestApp app, HttpProtocols protocol, string path)
    {
        if (protocol == HttpProtocols.Http2)
        {
            using var h2 = new Http2Client(app.BaseAddress);
            await FluentActions.Awaiting(() => h2.Http.GetAsync(path)).Should().ThrowAsync<HttpRequestException>();
            return;
        }

        using var client = await RawHttpClient.ConnectAsync(app.Port);
        await client.SendGetAsync(path);
        try
        {
            (await client.ReceiveToEndAsync()).Should().BeEmpty("the app aborted the connection before answering");
        }
        catch (SocketException)
        {
            // Reset rather than closed: the same ending.
        }
    }
}

// An HTTP/2 (h2c, prior knowledge) client whose socket the test holds, to close (FIN) or reset (RST) the connection.
internal sealed class Http2Client : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private Socket? _socket;

    public Http2Client(Uri baseAddress)
    {
        _handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                _socket = socket;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        Http = new HttpClient(_handler)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public HttpClient Http { get; }

    // FIN: shut the sending side only (a close with unread data would send a RST instead). RST: SO_LINGER 0, close.
    public void Close(CloseMode mode)
    {
        var socket = _socket!;
        if (mode == CloseMode.Reset)
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        else
        {
            socket.Shutdown(SocketShutdown.Send);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }
}
