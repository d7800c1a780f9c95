using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Grpc;

// The "plain" column of the gRPC rows in docs/client-closed.md: the same calls against the same service in an app
// without Status499, so the difference the library makes is shown, not assumed.
public sealed class GrpcPlainBaselineTests
{
    [Theory]
    [InlineData("Honour", 200, 499)]
    [InlineData("Ignore", 200, 200)]
    [InlineData("Stream", 200, 200)]
    public async Task Plain_app_lets_outer_middleware_see_200(string method, int outerStatus, int hostingStatus)
    {
        var signals = new ProbeSignals();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(signals);
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        await using var app = builder.Build();
        var observer = new OuterObserver();
        app.Use(observer.InvokeAsync);
        app.MapGrpcService<ProbeService>();
        using var duration = new MetricCollector<double>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Microsoft.AspNetCore.Hosting", "http.server.request.duration");
        await app.StartAsync();

        using var channel = GrpcChannel.ForAddress(app.Urls.First(), new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });
        var invoker = channel.CreateCallInvoker();
        using var cancel = new CancellationTokenSource();
        var options = new CallOptions(cancellationToken: cancel.Token);
        if (method == "Stream")
        {
            using var call = invoker.AsyncServerStreamingCall(Probe.StreamMethod, null, options, "hi");
            (await call.ResponseStream.MoveNext(CancellationToken.None)).Should().BeTrue();
            await signals.WaitEnteredAsync();
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => call.ResponseStream.MoveNext(CancellationToken.None)).Should().ThrowAsync<RpcException>();
        }
        else
        {
            using var call = invoker.AsyncUnaryCall(method == "Honour" ? Probe.HonourMethod : Probe.IgnoreMethod, null, options, "hi");
            await signals.WaitEnteredAsync();
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => call.ResponseAsync).Should().ThrowAsync<RpcException>();
        }

        var outer = await observer.WaitAsync();
        await duration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        var hosting = duration.GetMeasurementSnapshot()[0].Tags["http.response.status_code"];
        outer.StatusCode.Should().Be(outerStatus);
        outer.EscapedException.Should().BeNull();
        hosting.Should().Be(hostingStatus);
        await app.StopAsync();
    }
}
