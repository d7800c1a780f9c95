using System.Diagnostics;
using Grpc.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Grpc;

// What the service tells the test: that the call runs, and the trace of the request's hosting Activity (the
// ActivityListener is process-wide: the trace id tells this call's Activity from other tests' ones).
public sealed class ProbeSignals
{
    private readonly Signal _entered = new();

    public ActivityTraceId? TraceId { get; private set; }

    public void Entered(ServerCallContext context)
    {
        TraceId = Activity.Current?.TraceId;
        _entered.Set();
    }

    public Task WaitEnteredAsync() => _entered.WaitAsync();
}
