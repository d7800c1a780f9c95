using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Status499;
using Status499.ArcGisServer;

namespace Status499.Sample;

/// <summary>How the sample issues and validates tokens.</summary>
/// <remarks>
/// Configuration keys (environment variables use <c>__</c> for <c>:</c>, e.g. <c>Sample__DemoUser__Password</c>):
/// <list type="bullet">
/// <item><c>Sample:DemoToken</c>: a fixed development token, accepted next to minted ones (default <see cref="DefaultDemoToken"/>).</item>
/// <item><c>Sample:DemoUser:Username</c>, <c>Sample:DemoUser:Password</c>: the user generateToken accepts (development defaults <c>demo</c> / <c>demo-password</c>).</item>
/// <item><c>Sample:KeyRingPath</c>: a folder for the Data Protection keys that protect minted tokens; instances that share it
/// accept each other's tokens. Without it, Data Protection's default location is used (the user profile).</item>
/// <item><c>Sample:TokenLifetimeSeconds</c>: a test hook; minted tokens live exactly that long whatever expiration is asked, and <c>expires</c> says so.</item>
/// </list>
/// </remarks>
public static class DemoTokens
{
    /// <summary>The development token accepted when <c>Sample:DemoToken</c> is not set.</summary>
    public const string DefaultDemoToken = "status499-demo-token";

    /// <summary>The demo username when <c>Sample:DemoUser:Username</c> is not set.</summary>
    public const string DefaultUsername = "demo";

    /// <summary>The demo password when <c>Sample:DemoUser:Password</c> is not set. Development only.</summary>
    public const string DefaultPassword = "demo-password";

    /// <summary>Registers the sample's token validation: the static development token and signed tokens minted by generateToken.</summary>
    /// <param name="builder">The Status499 builder.</param>
    /// <param name="configuration">The app configuration (<c>Sample:*</c> keys).</param>
    /// <returns>The same builder.</returns>
    public static Status499Builder AddDemoTokens(this Status499Builder builder, IConfiguration configuration)
    {
        var lifetime = ReadLifetime(configuration);

        // Minted tokens are protected by ASP.NET Core Data Protection: every instance that shares the key ring (and the
        // application name) accepts the others' tokens. A shared folder here; Redis or blob storage work the same way.
        if (configuration["Sample:KeyRingPath"] is { Length: > 0 } keyRingPath)
        {
            builder.Services.AddDataProtection()
                .SetApplicationName("Status499.Sample")
                .PersistKeysToFileSystem(new DirectoryInfo(keyRingPath));
        }

        // Static first: AddArcGisSignedTokens falls back to the validator registered before it, so both are accepted.
        builder.AddStaticTokens(configuration["Sample:DemoToken"] ?? DefaultDemoToken)
            .AddArcGisSignedTokens(o =>
            {
                o.AddUser(configuration["Sample:DemoUser:Username"] ?? DefaultUsername, configuration["Sample:DemoUser:Password"] ?? DefaultPassword);
                if (lifetime is { } fixedLifetime)
                {
                    o.DefaultExpiration = fixedLifetime;
                    o.MaxExpiration = fixedLifetime;
                }
            });

        if (lifetime is { } forced)
        {
            // Expiration is asked in whole minutes, so the cap alone cannot give a lifetime shorter than the one asked
            // for above a minute; decorate the issuer so the lifetime is exactly the configured one.
            var services = builder.Services;
            var signed = services.Last(d => d.ServiceType == typeof(ITokenIssuer));
            services.Remove(signed);
            services.AddSingleton<ITokenIssuer>(sp => new FixedLifetimeIssuer((ITokenIssuer)signed.ImplementationFactory!(sp), forced));
        }

        return builder;
    }

    /// <summary>Maps rest/info and generateToken, next to the token-protected services under <c>/arcgis/rest/services</c>.</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapDemoTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapArcGisRestInfo("/arcgis/rest/info", "/arcgis/tokens/generateToken");
        app.MapArcGisGenerateToken("/arcgis/tokens/generateToken");
        return app;
    }

    private static TimeSpan? ReadLifetime(IConfiguration configuration)
    {
        var value = configuration["Sample:TokenLifetimeSeconds"];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"Sample:TokenLifetimeSeconds must be a positive whole number of seconds; it is '{value}'.");
    }

    private sealed class FixedLifetimeIssuer(ITokenIssuer inner, TimeSpan lifetime) : ITokenIssuer
    {
        public ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request) => inner.IssueAsync(new TokenIssueRequest
        {
            HttpContext = request.HttpContext,
            Username = request.Username,
            Password = request.Password,
            Binding = request.Binding,
            BindingValue = request.BindingValue,
            Lifetime = lifetime,
            CancellationToken = request.CancellationToken,
        });
    }
}
