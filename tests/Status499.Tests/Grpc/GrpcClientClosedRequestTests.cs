using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Grpc;

// gRPC calls that a real Grpc.Net.Client abandons, against a Grpc.AspNetCore service on real Kestrel (HTTP/2 over
// cleartext): what an operator sees. grpc-dotnet maps each method as the route /package.Service/Method, so that is
// the http.route of every Status499 signal and the route field of its log event; grpc-dotnet tags the same hosting
// Activity with grpc.method. A cancelled call or an expired client deadline reaches Kestrel as the client's
// RST_STREAM.
public sealed class GrpcClientClosedRequestTests
{
    private const string HonourRoute = "/" + Probe.ServiceName + "/Honour";
    private const string IgnoreRoute = "/" + Probe.ServiceName + "/Ignore";
    private const string StreamRoute = "/" + Probe.ServiceName + "/Stream";

    [Fact]
    public async Task Unary_call_cancelled_while_the_handler_honours_the_token_is_499_on_its_grpc_method()
    {
        var signals = new ProbeSignals();
        using var activities = new HostingActivities();
        await using var app = await StartAsync(signals);
        using var channel = CreateChannel(app);
        using var cancel = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(Probe.HonourMethod, null, new CallOptions(cancellationToken: cancel.Token), "hi");
        await signals.WaitEnteredAsync();
        await cancel.CancelAsync();

        (await FluentActions.Awaiting(() => call.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await ShouldBeRecordedAsync(app, activities, signals, HonourRoute, "handler", 499);
    }

    [Fact]
    public async Task Unary_call_cancelled_while_the_handler_ignores_the_token_is_499_although_it_answers()
    {
        var signals = new ProbeSignals();
        using var activities = new HostingActivities();
        await using var app = await StartAsync(signals);
        using var channel = CreateChannel(app);
        using var cancel = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(Probe.IgnoreMethod, null, new CallOptions(cancellationToken: cancel.Token), "hi");
        await signals.WaitEnteredAsync();
        await cancel.CancelAsync();

        (await FluentActions.Awaiting(() => call.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await ShouldBeRecordedAsync(app, activities, signals, IgnoreRoute, "handler", 499);
    }

    [Fact]
    public async Task Server_stream_cancelled_after_the_first_message_keeps_200_in_phase_response()
    {
        var signals = new ProbeSignals();
        using var activities = new HostingActivities();
        await using var app = await StartAsync(signals);
        using var channel = CreateChannel(app);
        using var cancel = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(Probe.StreamMethod, null, new CallOptions(cancellationToken: cancel.Token), "hi");
        (await call.ResponseStream.MoveNext(CancellationToken.None)).Should().BeTrue();
        call.ResponseStream.Current.Should().Be("first");
        await signals.WaitEnteredAsync();
        await cancel.CancelAsync();

        (await FluentActions.Awaiting(() => call.ResponseStream.MoveNext(CancellationToken.None)).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await ShouldBeRecordedAsync(app, activities, signals, StreamRoute, "response", 200);
    }

    // The client's deadline (shorter than the handler) expires: Grpc.Net.Client cancels the call and resets the stream.
    // The server is told a later deadline than the client's own: grpc-dotnet would otherwise start a timer from the same
    // grpc-timeout, which races the client's RST_STREAM (the server's own deadline is not a client leaving and is not
    // covered here; docs/client-closed.md#grpc).
    [Fact]
    public async Task Client_deadline_shorter_than_the_handler_is_499_on_its_grpc_method()
    {
        var signals = new ProbeSignals();
        using var activities = new HostingActivities();
        await using var app = await StartAsync(signals);
        using var channel = CreateChannel(app, new GrpcTimeoutHeader("1M"));
        var invoker = channel.CreateCallInvoker();

        // The connection is opened first, so that the deadline is spent in the handler, not in connecting.
        (await invoker.AsyncUnaryCall(Probe.EchoMethod, null, default, "warm").ResponseAsync).Should().Be("warm");
        using var call = invoker.AsyncUnaryCall(Probe.HonourMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(1)), "hi");

        (await FluentActions.Awaiting(() => call.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        await ShouldBeRecordedAsync(app, activities, signals, HonourRoute, "handler", 499);
    }

    // The server's own deadline (a short grpc-timeout, no client deadline): grpc-dotnet sends grpc-status 4
    // (DEADLINE_EXCEEDED) in the trailers, completes the response, then resets the stream itself, which does not cancel
    // RequestAborted any more. The client did not leave: the call stays the 200 grpc-dotnet answered (its status is in
    // the trailers and in grpc-dotnet's own log and grpc.status_code span tag), never a 499 or a client-closed count.
    [Fact]
    public async Task Server_deadline_is_not_a_client_that_left()
    {
        var signals = new ProbeSignals();
        using var activities = new HostingActivities();
        await using var app = await StartAsync(signals);
        using var channel = CreateChannel(app, new GrpcTimeoutHeader("300m"));

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(Probe.HonourMethod, null, default, "hi");

        (await FluentActions.Awaiting(() => call.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        (await Signal.EventuallyAsync(() => app.Observer.All.Any(o => o.Path == HonourRoute))).Should().BeTrue("the call ended");
        var outer = app.Observer.All.Single(o => o.Path == HonourRoute);
        outer.StatusCode.Should().Be(200, "grpc-dotnet answered, with grpc-status 4 in the trailers");
        outer.Phase.Should().Be(ClientDisconnectPhase.None);
        outer.Termination.Should().Be(RequestTermination.None);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(200);
        var span = await activities.WaitStoppedAsync(signals.TraceId);
        span.Should().Contain("grpc.method", HonourRoute);
        span.Should().NotContainKey("status499.termination");
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
        app.ServerEndedRequests.GetMeasurementSnapshot().Should().BeEmpty();
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "ClientClosedRequest" || r.Id.Name == "WorkAfterClientLeft");
        app.WarningsAndErrors.Should().BeEmpty();
    }

    private static Task<TestApp> StartAsync(ProbeSignals signals) => TestApp.StartAsync(
        a => a.MapGrpcService<ProbeService>(),
        protocols: HttpProtocols.Http2,
        // UseHttpLogging() in front of a gRPC service loses a unary call's response message (ASP.NET Core's
        // behaviour, with or without Status499): these apps leave it out.
        httpLogging: false,
        services: s =>
        {
            s.AddGrpc();
            s.AddSingleton(signals);
        });

    // http:// with prior knowledge: Grpc.Net.Client sends HTTP/2 without TLS (h2c), as Kestrel's Http2-only endpoint expects.
    private static GrpcChannel CreateChannel(TestApp app, HttpMessageHandler? handler = null)
        => GrpcChannel.ForAddress(app.BaseAddress, new GrpcChannelOptions { HttpHandler = handler ?? new SocketsHttpHandler() });

    // Every place an operator looks: the outer middleware, the hosting metric, Status499's counter, log event and span,
    // and grpc-dotnet's grpc.method tag on that same span; and nothing logged as a warning or an error.
    private static async Task ShouldBeRecordedAsync(TestApp app, HostingActivities activities, ProbeSignals signals, string route, string phase, int status)
    {
        (await Signal.EventuallyAsync(() => app.Observer.All.Any(o => o.Path == route))).Should().BeTrue("the call ended");
        var outer = app.Observer.All.Single(o => o.Path == route);
        outer.StatusCode.Should().Be(status);
        outer.Phase.ToString().Should().BeEquivalentTo(phase);
        outer.Termination.Should().Be(RequestTermination.ClientStreamReset, "a cancelled call reaches Kestrel as the client's RST_STREAM");
        outer.EscapedException.Should().BeNull();

        (await Signal.EventuallyAsync(() => app.RequestDuration.GetMeasurementSnapshot().Any(m => Equals(m.Tags["http.route"], route))))
            .Should().BeTrue("the hosting metric records the call when it ends");
        var hosting = app.RequestDuration.GetMeasurementSnapshot().Single(m => Equals(m.Tags["http.route"], route)).Tags;
        hosting["http.response.status_code"].Should().Be(status);

        var counted = app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        counted.Tags["http.route"].Should().Be(route);
        counted.Tags["status499.phase"].Should().Be(phase);
        counted.Tags["status499.termination"].Should().Be("client_stream_reset");

        var logged = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest").Subject;
        logged.GetStructuredStateValue("Route").Should().Be(route);
        logged.GetStructuredStateValue("Path").Should().Be(route);
        logged.GetStructuredStateValue("Phase").Should().Be(phase);
        logged.GetStructuredStateValue("Termination").Should().Be("client_stream_reset");
        logged.GetStructuredStateValue("StatusCode").Should().Be(status.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var span = await activities.WaitStoppedAsync(signals.TraceId);
        span.Should().Contain("grpc.method", route);
        span.Should().Contain("status499.phase", phase);
        span.Should().Contain("status499.termination", "client_stream_reset");
        span.Should().ContainKey("event:status499.client_closed");

        app.WarningsAndErrors.Should().BeEmpty();
    }
}
