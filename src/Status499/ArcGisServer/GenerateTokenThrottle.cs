using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Status499.ArcGisErrors;
using Status499.Diagnostics;

namespace Status499.ArcGisServer;

// Per-client-address rate limit of generateToken (ArcGisTokenOptions.RateLimit), on the framework's token bucket
// (System.Threading.RateLimiting, as the RateLimiting middleware: github.com/dotnet/aspnetcore
// src/Middleware/RateLimiting/src/RateLimitingMiddleware.cs). It is called by the endpoint itself rather than through
// UseRateLimiter()/RequireRateLimiting(), so it works with no extra setup and cannot be lost by a pipeline that forgets
// UseRateLimiter or puts it in the wrong place; an app's own global limiter still applies on top.
internal sealed class GenerateTokenThrottle : IDisposable
{
    // TokenBucketRateLimiter adds TokensPerPeriod once per replenishment, and the partitioned limiter replenishes on a
    // 100 ms timer (github.com/dotnet/runtime src/libraries/System.Threading.RateLimiting/src/System/Threading/
    // RateLimiting/TokenBucketRateLimiter.cs, DefaultPartitionedRateLimiter.cs): periods are kept at a second or more.
    private static readonly TimeSpan s_minPeriod = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<HttpContext>? _limiter;
    private readonly TokenBucketRateLimiterOptions _bucket;
    private readonly ILogger _logger;
    private readonly Status499Metrics _metrics;

    public GenerateTokenThrottle(ArcGisTokenRateLimitOptions options, ILogger logger, Status499Metrics metrics)
    {
        _logger = logger;
        _metrics = metrics;

        // PermitLimit at once, then PermitLimit per Window in even steps: 30 per minute is one every 2 s.
        var permits = Math.Max(1, options.PermitLimit);
        var period = options.Window / permits;
        var tokensPerPeriod = 1;
        if (period < s_minPeriod)
        {
            period = s_minPeriod;
            tokensPerPeriod = (int)Math.Min(permits, Math.Ceiling(permits * s_minPeriod.TotalMilliseconds / options.Window.TotalMilliseconds));
        }

        _bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = permits,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };

        if (options.Enabled)
        {
            // One delegate for the limiter and one for the partition options, both made here: nothing per request.
            Func<UInt128, TokenBucketRateLimiterOptions> bucket = _ => _bucket;
            _limiter = PartitionedRateLimiter.Create<HttpContext, UInt128>(context => RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), bucket));
        }
    }

    // At the start of generateToken, before the form is read. False when the request was refused and answered.
    public async ValueTask<bool> TryAcquireAsync(HttpContext context, bool pretty)
    {
        if (_limiter is null)
        {
            return true;
        }

        TimeSpan retryAfter;
        using (var lease = _limiter.AttemptAcquire(context))
        {
            if (lease.IsAcquired)
            {
                return true;
            }

            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var value) ? value : _bucket.ReplenishmentPeriod;
        }

        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        _metrics.RateLimited();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // Guarded above; the analyzer does not see the guard.
#pragma warning disable CA1873
            Status499Log.GenerateTokenRateLimited(_logger, context.Connection.RemoteIpAddress?.ToString(), seconds);
#pragma warning restore CA1873
        }

        // A real 429, unlike generateToken's other errors (HTTP 200): HTTP clients, proxies and load balancers honour
        // 429 + Retry-After (RFC 6585 section 4), and ArcGIS clients still read the ArcGIS error body of a non-2xx answer
        // (arcgis-rest-js throws ArcGISRequestError "Too Many Requests. <details>" with code "HTTP 429", not an auth
        // error, so it does not retry; the Maps SDK reports the body's error). A 200 would tell proxies the sign-in worked.
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ArcGisJsonResponse.WriteErrorWithStatusAsync(context, pretty, StatusCodes.Status429TooManyRequests, StatusCodes.Status429TooManyRequests,
            "Too Many Requests", $"Too many generateToken requests from this address; retry after {seconds} seconds.");
        return false;
    }

    public void Dispose() => _limiter?.Dispose();

    // The bits of an IPv6 address that name one client. Providers give a customer a /56 or a /48 (RIPE-690), a single
    // device at least a /64: a /64 per bucket gave one customer 256 to 65,536 budgets. A /56 gives a /56 customer one,
    // and a /48 customer 256 instead of 65,536, at the price of a shared budget for the devices of a provider that hands
    // out neighbouring /64s, which sign in once per token lifetime.
    internal const int IPv6PrefixLength = 56;

    // The client's address as one 128-bit number: IPv4 as its IPv4-mapped IPv6 form (Kestrel's dual-mode sockets report
    // either), IPv6 cut to its /56 (IPv6PrefixLength). Unknown (no socket) is 0.
    private static UInt128 PartitionOf(HttpContext context) => PartitionOf(context.Connection.RemoteIpAddress);

    internal static UInt128 PartitionOf(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return UInt128.Zero;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes.Clear();
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            address.TryWriteBytes(bytes[12..], out _);
            return BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }

        if (!address.TryWriteBytes(bytes, out var written) || written != 16)
        {
            return UInt128.Zero;
        }

        return address.IsIPv4MappedToIPv6 ? BinaryPrimitives.ReadUInt128BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes) >> (128 - IPv6PrefixLength) << (128 - IPv6PrefixLength);
    }
}
