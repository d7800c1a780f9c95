namespace Status499.Demo;

/// <summary>The log category and event of <c>GET /queued</c>.</summary>
internal sealed partial class QueuedDemo
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "/queued holds the only permit for 5 s: another /queued request waits in the queue meanwhile.")]
    public static partial void HoldsThePermit(ILogger<QueuedDemo> logger);
}
