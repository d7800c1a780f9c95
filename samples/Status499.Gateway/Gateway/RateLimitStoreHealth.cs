namespace Status499.Gateway;

// Whether the shared rate limit's Redis answers, on this instance. An outage is one event for an operator: one Warning
// when Redis starts failing (each instance then counts on its own), one Information when it answers again, with how
// long it was down and how many requests this instance counted on its own meanwhile; nothing per request in between.
internal sealed partial class RateLimitStoreHealth
{
    private readonly ILogger<RateLimitStoreHealth> _logger;
    private readonly TimeProvider _time;
    private int _failing;
    private long _failingSince;
    private long _countedAlone;

    public RateLimitStoreHealth(ILogger<RateLimitStoreHealth> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public void Failed(Exception exception)
    {
        Interlocked.Increment(ref _countedAlone);
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Volatile.Write(ref _failingSince, _time.GetTimestamp());
            Log.Failed(_logger, exception, exception.GetType().FullName);
        }
    }

    // A plain read on the path of every request while Redis is healthy.
    public void Answered()
    {
        if (Volatile.Read(ref _failing) == 0 || Interlocked.Exchange(ref _failing, 0) == 0)
        {
            return;
        }

        var seconds = _time.GetElapsedTime(Volatile.Read(ref _failingSince)).TotalSeconds;
        Log.Recovered(_logger, seconds, Interlocked.Exchange(ref _countedAlone, 0));
    }

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Gateway:RateLimit cannot count in Redis ({ExceptionType}): each instance limits clients on its own until Redis answers again.", EventName = "RateLimitStoreFailed")]
        public static partial void Failed(ILogger logger, Exception exception, string? exceptionType);

        [LoggerMessage(1102, LogLevel.Information, "Gateway:RateLimit counts in Redis again, after {OutageSeconds:0.0} s in which this instance counted {CountedAlone} requests on its own.", EventName = "RateLimitStoreRecovered")]
        public static partial void Recovered(ILogger logger, double outageSeconds, long countedAlone);
    }
}
