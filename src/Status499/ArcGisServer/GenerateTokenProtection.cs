using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.ClientClosed;
using Status499.Diagnostics;

namespace Status499.ArcGisServer;

// generateToken's brute-force protection, built once per application from whatever the app registered: its
// IDistributedCache (Redis for a farm) and TimeProvider win; without them a private, bounded in-memory cache and the
// system clock are used. Resolving with a fallback rather than registering defaults keeps this working for an app that
// registers its own ITokenIssuer without AddArcGisSignedTokens, and never displaces a cache registered later.
//
// One per application, not per mapping: an app that maps generateToken at two paths (ArcGIS Server's
// /arcgis/tokens/generateToken and a portal's /arcgis/sharing/rest/generateToken) must not give an attacker a second
// lockout count and a second rate-limit budget. The application is its root service provider, which every
// IEndpointRouteBuilder of one app shares; the table lets the protection go with the provider.
internal sealed class GenerateTokenProtection
{
    // The private cache keeps at most this many usernames (a record is LockoutRecord.Size bytes; MemoryDistributedCache
    // gives each entry the size of its value). About 1.5 KB each with the key and the cache's bookkeeping: some 75 MB at
    // most. Past it the cache refuses new records and compacts the least recently used ones away (a username under
    // attack is read on every guess, so it stays); counts then start late for new usernames, which an attacker can
    // only bring about by sending tens of thousands of requests past the per-address rate limit.
    internal const int InMemoryCapacity = 50_000;

    private static readonly ConditionalWeakTable<IServiceProvider, GenerateTokenProtection> s_perApplication = new();

    private GenerateTokenProtection(GenerateTokenThrottle throttle, GenerateTokenLockout lockout)
    {
        Throttle = throttle;
        Lockout = lockout;
    }

    public GenerateTokenThrottle Throttle { get; }

    public GenerateTokenLockout Lockout { get; }

    public static GenerateTokenProtection For(IServiceProvider services, ArcGisTokenOptions options, ClientAbort clientAbort)
    {
        // AddArcGisSignedTokens validates these at startup already; an app with its own issuer has no validator.
        var errors = new List<string>();
        GenerateTokenProtectionValidator.Validate(options, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ArcGisTokenOptions), errors);
        }

        return s_perApplication.GetValue(services, provider => Create(provider, options, clientAbort));
    }

    // The protection of an application that mapped generateToken, for tests.
    internal static GenerateTokenProtection? Of(IServiceProvider services) => s_perApplication.TryGetValue(services, out var protection) ? protection : null;

    public static MemoryDistributedCache CreateInMemoryStore()
        => new(Options.Create(new MemoryDistributedCacheOptions { SizeLimit = (long)InMemoryCapacity * LockoutRecord.Size }));

    private static GenerateTokenProtection Create(IServiceProvider services, ArcGisTokenOptions options, ClientAbort clientAbort)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Status499.ArcGisTokens");
        var metrics = services.GetService<Status499Metrics>() ?? new Status499Metrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var cache = services.GetService<IDistributedCache>() ?? CreateInMemoryStore();
        var digest = new UsernameDigest(options.Lockout.NormalizeUsername ?? StoreNormalizer(services));
        var lockout = new GenerateTokenLockout(options.Lockout, digest, cache, services.GetService<TimeProvider>() ?? TimeProvider.System, logger, metrics, clientAbort);

        // The limiter runs a replenishment timer: stop it with the app.
        var throttle = new GenerateTokenThrottle(options.RateLimit, logger, metrics);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(static state => ((GenerateTokenThrottle)state!).Dispose(), throttle);
        return new GenerateTokenProtection(throttle, lockout);
    }

    // ASP.NET Core Identity matches names by ILookupNormalizer.NormalizeName (UpperInvariantLookupNormalizer: NFC, then
    // upper case): an app that registered Identity gets the lockout folded at least as its store matches.
    private static Func<string, string>? StoreNormalizer(IServiceProvider services)
        => services.GetService<ILookupNormalizer>() is { } normalizer ? name => normalizer.NormalizeName(name) ?? string.Empty : null;
}
