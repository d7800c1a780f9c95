using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Status499.Gateway;

// Gateway:RateLimit, as Esri's resource-proxy had (rateLimit, rateLimitPeriod): at most PermitLimit proxied requests per
// Window from one client address, answered 429 with Retry-After and the resource-proxy's message beyond that. ASP.NET
// Core's own rate limiter does the counting (fixed windows, partitioned by address, no queue). Per instance: with
// several instances behind a round-robin balancer a client gets up to PermitLimit per instance. Behind another proxy,
// UseForwardedHeaders() must set the client's address first, or every request shares the proxy's.
internal static class GatewayRateLimit
{
    public const string PolicyName = "Status499.Gateway";

    public static void Add(IServiceCollection services, GatewayRateLimitOptions limit)
    {
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PolicyName, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0 }));
            o.OnRejected = (rejected, _) =>
            {
                var context = rejected.HttpContext;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                return new(GatewayErrorBody.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                    "Unable to proxy request for requested resource.",
                    "This is a metered resource, number of requests have exceeded the rate limit interval."));
            };
        });
    }
}
