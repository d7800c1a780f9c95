using Grpc.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Grpc;

// The service under test. grpc-dotnet creates one per call; the signals shared with the test live in ProbeSignals
// (a singleton of the test's app).
public sealed class ProbeService(ProbeSignals signals) : Probe.ProbeBase
{
    public override Task<string> Echo(string request, ServerCallContext context) => Task.FromResult(request);

    // Honours the call's token: throws OperationCanceledException when the client leaves or the deadline passes.
    public override async Task<string> Honour(string request, ServerCallContext context)
    {
        signals.Entered(context);
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        return "never";
    }

    // Ignores the token: watches it only to tell the test the server noticed, then answers into the reset stream.
    public override async Task<string> Ignore(string request, ServerCallContext context)
    {
        signals.Entered(context);
        await Signal.WhenCancelled(context.CancellationToken);
        return "late";
    }

    // Sends one message (the response headers go out with it), then waits for the client to leave.
    public override async Task Stream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context)
    {
        await responseStream.WriteAsync("first", context.CancellationToken);
        signals.Entered(context);
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }
}
