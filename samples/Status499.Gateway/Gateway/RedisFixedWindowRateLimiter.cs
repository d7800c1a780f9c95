using System.Diagnostics;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Status499.Gateway;

// Gateway:RateLimit for one client address when the instances share a Redis (Gateway:Redis): the window's count lives
// in Redis (RedisFixedWindowCounter), so the (PermitLimit+1)th request across every instance is refused. While Redis
// cannot answer, the instance falls back to its own in-memory fixed window for the address (the limit without Redis):
// never a 500, never every client refused, at worst PermitLimit per instance. A ReplenishingRateLimiter so that the
// partitioned limiter's timer replenishes the fallback, as it does its own fixed windows.
internal sealed class RedisFixedWindowRateLimiter : ReplenishingRateLimiter
{
    private static readonly RateLimitLease Admitted = new Lease(isAcquired: true, retryAfter: null);

    // The rate limiting middleware asks synchronously first and waits (AcquireAsync) only on a refusal; the Redis round
    // trip cannot be synchronous, so the first answer is always "wait". The middleware counts that wait as time in its
    // queue (aspnetcore.rate_limiting.request.time_in_queue).
    private static readonly RateLimitLease AskAsynchronously = new Lease(isAcquired: false, retryAfter: null);

    private readonly RedisFixedWindowCounter _counter;
    private readonly RedisKey[] _key;
    private readonly FixedWindowRateLimiter _fallback;
    private long _lastUsed = Stopwatch.GetTimestamp();

    public RedisFixedWindowRateLimiter(RedisFixedWindowCounter counter, string clientAddress, FixedWindowRateLimiterOptions fallback)
    {
        _counter = counter;
        _key = [counter.KeyOf(clientAddress)];
        _fallback = new FixedWindowRateLimiter(fallback);
    }

    // Evicted by the partitioned limiter once idle, unless the fallback still counts a window (its count would be lost).
    public override TimeSpan? IdleDuration =>
        _fallback.IdleDuration is null ? null : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUsed));

    public override bool IsAutoReplenishing => false;

    public override TimeSpan ReplenishmentPeriod => _fallback.ReplenishmentPeriod;

    public override bool TryReplenish() => _fallback.TryReplenish();

    // The count lives in Redis; the instance knows none.
    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => AskAsynchronously;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
        long count;
        TimeSpan windowLeft;
        try
        {
            (count, windowLeft) = await _counter.IncrementAsync(_key);
        }
        catch (RedisException exception)
        {
            _counter.Health.Failed(exception);
            return _fallback.AttemptAcquire(permitCount);
        }

        _counter.Health.Answered();
        return count <= _counter.PermitLimit ? Admitted : new Lease(isAcquired: false, windowLeft);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fallback.Dispose();
        }

        base.Dispose(disposing);
    }

    // Admitted, or refused with the time left in the window (Retry-After).
    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        private static readonly string[] RetryAfterOnly = [MetadataName.RetryAfter.Name];

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : RetryAfterOnly;

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
