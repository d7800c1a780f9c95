using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Status499.ArcGisServer;

// Builds generateToken's brute-force protection when the endpoint is mapped, from whatever the app registered:
// its IDistributedCache (Redis for a farm) and TimeProvider win; without them a private in-memory cache and the system
// clock are used. Resolving with a fallback rather than registering defaults keeps this working for an app that
// registers its own ITokenIssuer without AddArcGisSignedTokens, and never displaces a cache registered later.
internal static class GenerateTokenProtection
{
    public static (GenerateTokenThrottle Throttle, GenerateTokenLockout Lockout) Create(IServiceProvider services, ArcGisTokenOptions options, ClientAbort clientAbort)
    {
        // AddArcGisSignedTokens validates these at startup already; an app with its own issuer has no validator.
        var errors = new List<string>();
        GenerateTokenProtectionValidator.Validate(options, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ArcGisTokenOptions), errors);
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Status499.ArcGisTokens");
        var metrics = services.GetService<Status499Metrics>() ?? new Status499Metrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var cache = services.GetService<IDistributedCache>()
            ?? new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var lockout = new GenerateTokenLockout(options.Lockout, cache, services.GetService<TimeProvider>() ?? TimeProvider.System, logger, metrics, clientAbort);

        // The limiter runs a replenishment timer: stop it with the app.
        var throttle = new GenerateTokenThrottle(options.RateLimit, logger, metrics);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(static state => ((GenerateTokenThrottle)state!).Dispose(), throttle);
        return (throttle, lockout);
    }
}
