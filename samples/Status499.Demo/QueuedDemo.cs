namespace Status499.Demo;

/// <summary>The log category and event of <c>GET /queued</c>.</summary>
internal sealed class QueuedDemo
{
    // LoggerMessage.Define rather than the [LoggerMessage] generator: the analyzer tests compile the demo's sources
    // without source generators.
    private static readonly Action<ILogger, Exception?> s_holdsThePermit = LoggerMessage.Define(
        LogLevel.Information, new EventId(1, "HoldsThePermit"),
        "/queued holds the only permit for 5 s: another /queued request waits in the queue meanwhile.");

    public static void HoldsThePermit(ILogger<QueuedDemo> logger) => s_holdsThePermit(logger, null);
}
