using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Status499.Gateway;

// Gateway:RateLimit, as Esri's resource-proxy had (rateLimit, rateLimitPeriod): at most PermitLimit proxied requests per
// Window from one client address, answered 429 with Retry-After and the resource-proxy's message beyond that. ASP.NET
// Core's rate limiter runs it (fixed windows, partitioned by address, no queue). With Gateway:Redis the windows are
// counted in Redis (RedisFixedWindowRateLimiter), one limit across every instance behind a balancer, falling back to
// the instance's own count while Redis is down; without it, each instance counts in memory. Behind another proxy,
// UseForwardedHeaders() must set the client's address first, or every request shares the proxy's.
internal static class GatewayRateLimit
{
    public const string PolicyName = "Status499.Gateway";

    public static void Add(IServiceCollection services, GatewayOptions options)
    {
        var limit = options.RateLimit!;
        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = false, // the partitioned limiter's timer replenishes every window
        };
        services.AddRateLimiter(o => o.OnRejected = OnRejectedAsync);
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            Func<string, FixedWindowRateLimiterOptions> inMemory = _ => window;
            services.Configure<RateLimiterOptions>(o =>
                o.AddPolicy(PolicyName, context => RateLimitPartition.GetFixedWindowLimiter(ClientAddress(context), inMemory)));
            return;
        }

        // The IConnectionMultiplexer of GatewaySharedState, the one connection of the instance.
        services.AddSingleton<RateLimitStoreHealth>();
        services.AddSingleton<RedisFixedWindowCounter>();
        services.AddOptions<RateLimiterOptions>().Configure<RedisFixedWindowCounter>((o, counter) =>
        {
            Func<string, RateLimiter> shared = address => new RedisFixedWindowRateLimiter(counter, address, window);
            o.AddPolicy(PolicyName, context => RateLimitPartition.Get(ClientAddress(context), shared));
        });
    }

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;

    private static ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return new(GatewayErrorBody.WriteAsync(context, StatusCodes.Status429TooManyRequests,
            "Unable to proxy request for requested resource.",
            "This is a metered resource, number of requests have exceeded the rate limit interval."));
    }
}
