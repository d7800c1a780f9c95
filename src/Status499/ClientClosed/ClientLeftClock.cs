using System.Diagnostics;

namespace Status499.ClientClosed;

// The moment the client left, which can be long before a handler that ignores RequestAborted returns: the client's
// wait ends there, and the time after it is work nobody waited for. One per pooled request context.
internal sealed class ClientLeftClock
{
    private CancellationTokenRegistration _registration;

    // Stopwatch timestamp of the moment RequestAborted fired; 0 while the client is still there. Written by Kestrel's
    // cancellation on a thread-pool thread, read by the middleware when it notices the abort, possibly later.
    private long _leftTimestamp;

    // UnsafeRegister: no ExecutionContext capture. Kestrel reuses the RequestAborted source across the requests of a
    // connection (TryReset, github.com/dotnet/aspnetcore src/Servers/Kestrel/Core/src/Internal/Http/HttpProtocol.cs)
    // and CancellationTokenSource pools its callback nodes, so the steady state allocates nothing (docs/benchmarks.md).
    public void Start(CancellationToken requestAborted)
    {
        Volatile.Write(ref _leftTimestamp, 0);
        _registration = requestAborted.UnsafeRegister(static s => ((ClientLeftClock)s!).Stamp(), this);
    }

    // After Dispose the callback has either run or never will, so the timestamp read afterwards is final.
    public void Stop()
    {
        _registration.Dispose();
        _registration = default;
    }

    // Kestrel cancels RequestAborted on the thread pool, so the middleware can notice the abort before the callback
    // ran: then the best moment known is now.
    public long LeftTimestamp()
    {
        Stamp();
        return Volatile.Read(ref _leftTimestamp);
    }

    private void Stamp() => Interlocked.CompareExchange(ref _leftTimestamp, Stopwatch.GetTimestamp(), 0);
}
