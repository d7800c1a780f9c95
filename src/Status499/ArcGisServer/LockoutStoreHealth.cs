using Microsoft.Extensions.Logging;
using Status499.Diagnostics;

namespace Status499.ArcGisServer;

// Whether generateToken's lockout store (IDistributedCache, Redis on a farm) answers. An outage is one event for an
// operator: one Error when the store starts failing, Debug for every later failure, one Information when it answers
// again with how long it was down and how many sign-ins were refused meanwhile. Without this, every refused sign-in
// logged its own Error with a stack trace: a storm in the logs exactly when the store is down.
internal sealed class LockoutStoreHealth
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _cacheName;
    private int _failing;
    private long _failingSince;
    private long _refused;

    public LockoutStoreHealth(ILogger logger, TimeProvider time, string cacheName)
    {
        _logger = logger;
        _time = time;
        _cacheName = cacheName;
    }

    // refused: the request was refused because of this failure (not a count that could not be cleared afterwards).
    public void Failed(Exception exception, bool refused)
    {
        if (refused)
        {
            Interlocked.Increment(ref _refused);
        }

        // Only on a failing store: not worth a guard.
        var exceptionType = exception.GetType().FullName;
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Volatile.Write(ref _failingSince, _time.GetTimestamp());
            Status499Log.GenerateTokenLockoutStoreFailed(_logger, exception, _cacheName, exceptionType);
        }
        else
        {
            Status499Log.GenerateTokenLockoutStoreStillFailing(_logger, _cacheName, exceptionType);
        }
    }

    // A plain read on the path of every sign-in while the store is healthy.
    public void Answered()
    {
        if (Volatile.Read(ref _failing) == 0 || Interlocked.Exchange(ref _failing, 0) == 0)
        {
            return;
        }

        var seconds = _time.GetElapsedTime(Volatile.Read(ref _failingSince)).TotalSeconds;
        var refused = Interlocked.Exchange(ref _refused, 0);
        Status499Log.GenerateTokenLockoutStoreRecovered(_logger, _cacheName, seconds, refused);
    }
}
