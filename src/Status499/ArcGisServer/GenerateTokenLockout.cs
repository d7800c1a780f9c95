using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Status499.ClientClosed;
using Status499.Diagnostics;

namespace Status499.ArcGisServer;

// Per-username lockout of generateToken (ArcGisTokenOptions.Lockout), kept in IDistributedCache so that the instances
// of a farm share it. The same steps run for every username, known or not: a lockout tells nothing about accounts.
//
// IDistributedCache has no atomic increment, so an attempt is counted before the password is checked (BeginAsync)
// rather than after: concurrent guesses then race only for the few microseconds (in memory) or the Redis round trips
// between read and write, not for the whole password check, and a striped lock closes even that gap within one instance.
// A success clears the count (CompleteAsync); a failure that used up the window's attempts starts the lockout.
internal sealed class GenerateTokenLockout
{
    public const string KeyPrefix = "Status499:generateToken:lockout:";
    private const int StripeCount = 256;

    private readonly IDistributedCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Status499Metrics _metrics;
    private readonly ClientAbort _clientAbort;
    private readonly bool _enabled;
    private readonly int _maxFailedAttempts;
    private readonly long _failureWindowMs;
    private readonly long _lockoutDurationMs;
    private readonly SemaphoreSlim[] _stripes;
    private readonly UsernameDigest _digest;
    private readonly LockoutStoreHealth _health;

    public GenerateTokenLockout(
        ArcGisTokenLockoutOptions options, UsernameDigest digest, IDistributedCache cache, TimeProvider time, ILogger logger, Status499Metrics metrics, ClientAbort clientAbort)
    {
        _digest = digest;
        _clientAbort = clientAbort;
        _cache = cache;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _enabled = options.Enabled;
        _maxFailedAttempts = options.MaxFailedAttempts;
        _failureWindowMs = (long)options.FailureWindow.TotalMilliseconds;
        _lockoutDurationMs = (long)options.LockoutDuration.TotalMilliseconds;
        _health = new LockoutStoreHealth(logger, time, cache.GetType().Name);
        _stripes = new SemaphoreSlim[_enabled ? StripeCount : 0];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    // Before the credentials are checked: refuses a locked-out username, otherwise counts the attempt.
    public async ValueTask<GenerateTokenAttempt> BeginAsync(HttpContext context, string username)
    {
        if (!_enabled)
        {
            return new(GenerateTokenAttemptVerdict.Allowed);
        }

        var aborted = context.RequestAborted;
        string key;
        byte stripe;
        try
        {
            key = _digest.CacheKey(KeyPrefix, username, out stripe);
            var gate = _stripes[stripe];
            await gate.WaitAsync(aborted);
            try
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var record = LockoutRecord.Decode(await _cache.GetAsync(key, aborted)).At(now, _failureWindowMs);
                _health.Answered();
                if (record.IsLockedOut(now, _maxFailedAttempts))
                {
                    return new(GenerateTokenAttemptVerdict.LockedOut);
                }

                record = record.WithAttempt(now);
                await _cache.SetAsync(key, record.Encode(), Expiry(record, now), aborted);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception ex) when (ClientAbort.IsAbortException(ex) && _clientAbort.IsClientAbort(context))
        {
            return new(GenerateTokenAttemptVerdict.ClientGone);
        }
        catch (Exception ex)
        {
            _health.Failed(ex, refused: true);
            return new(GenerateTokenAttemptVerdict.StoreFailed);
        }

        return new(GenerateTokenAttemptVerdict.Allowed, key, stripe);
    }

    // After the credentials were checked. Not cancelled by the client leaving: a guess whose answer the client did not
    // wait for still counts. An attempt that never completes (the issuer threw, the client left during the check) stays
    // counted as a failure, and once the window's attempts are used up the username is refused until the window ends.
    public async ValueTask CompleteAsync(HttpContext context, GenerateTokenAttempt attempt, bool succeeded)
    {
        if (attempt.CacheKey is not { } key)
        {
            return;
        }

        try
        {
            if (succeeded)
            {
                await _cache.RemoveAsync(key, CancellationToken.None);
                return;
            }

            var gate = _stripes[attempt.Stripe];
            await gate.WaitAsync(CancellationToken.None);
            LockoutRecord record;
            try
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                record = LockoutRecord.Decode(await _cache.GetAsync(key, CancellationToken.None)).At(now, _failureWindowMs);
                if (record.Failures < _maxFailedAttempts || record.LockedUntilMs != 0)
                {
                    return;
                }

                record = record with { LockedUntilMs = now + _lockoutDurationMs };
                await _cache.SetAsync(key, record.Encode(), Expiry(record, now), CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }

            _metrics.LockoutStarted();
            Status499Log.GenerateTokenLockoutStarted(_logger, _digest.Logged(key), _lockoutDurationMs / 1000.0,
                record.Failures, context.Connection.RemoteIpAddress?.ToString());
        }
        catch (Exception ex)
        {
            // The answer to the client is already decided; a count that could not be cleared or a lockout that could not
            // be stored is logged, never turned into an error for this request.
            _health.Failed(ex, refused: false);
        }
    }

    internal UsernameDigest Digest => _digest;

    // How logs name the username of an attempt: never the username itself (it may be a password typed in the wrong box).
    public string LoggedUsername(GenerateTokenAttempt attempt, string username)
        => attempt.CacheKey is { } key ? _digest.Logged(key) : _digest.LoggedFor(KeyPrefix, username);

    // The cache forgets a record when it no longer matters; the stored times, not the cache's clock, decide the lockout.
    private DistributedCacheEntryOptions Expiry(LockoutRecord record, long nowMs)
        => new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(Math.Max(1000, record.ExpiresAtMs(_failureWindowMs) - nowMs)) };
}
