using StackExchange.Redis;

namespace Status499.Gateway;

// Gateway:RateLimit's count of one client address in Redis, so that every instance enforces one limit. A raw counter,
// not the IDistributedCache the lockout uses: a fixed window needs an atomic increment, and IDistributedCache only gets
// and sets whole values, so two instances reading the same count would both admit. INCR and the window's expiry run in
// one Lua script, which Redis executes atomically (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/):
// the first request of a window starts it, and no key is left without an expiry (the INCR rate-limiter pattern,
// https://redis.io/docs/latest/commands/incr/#pattern-rate-limiter). The window is timed by Redis's clock (the key's
// time to live), never by the instances', whose clocks may differ.
internal sealed class RedisFixedWindowCounter
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            ttl = tonumber(ARGV[1])
        end
        return { count, ttl }
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisValue[] _window;
    private readonly string _keyPrefix;

    public RedisFixedWindowCounter(IConnectionMultiplexer redis, GatewayOptions options, RateLimitStoreHealth health)
    {
        _redis = redis;
        _window = [(long)options.RateLimit!.Window.TotalMilliseconds];
        _keyPrefix = options.RedisKeyPrefix + "RateLimit:";
        PermitLimit = options.RateLimit.PermitLimit;
        Health = health;
    }

    public int PermitLimit { get; }

    public RateLimitStoreHealth Health { get; }

    public RedisKey KeyOf(string clientAddress) => _keyPrefix + clientAddress;

    // Counts one request in the window of the key (one key, in an array made once per address): the requests counted
    // so far in it, this one included, and the time left in it. Throws a RedisException while Redis cannot answer (at
    // once while the connection is down: BacklogPolicy.FailFast, GatewaySharedState).
    public async Task<(long Count, TimeSpan WindowLeft)> IncrementAsync(RedisKey[] key)
    {
        // ScriptEvaluateAsync sends the script's SHA1 once Redis knows it, and the script again after a restart emptied
        // Redis's script cache (NOSCRIPT).
        var result = (long[])(await _redis.GetDatabase().ScriptEvaluateAsync(Script, key, _window))!;
        return (result[0], TimeSpan.FromMilliseconds(result[1]));
    }
}
