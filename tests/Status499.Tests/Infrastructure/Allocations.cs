namespace Status499.Tests.Infrastructure;

// Bytes a synchronous piece of code allocates on this thread: run once to warm up (JIT, lazy caches), then counted
// over many runs, so that a single allocation per run shows as at least 1,000 bytes.
public static class Allocations
{
    public static long Of(Action action, int runs = 1000)
    {
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
