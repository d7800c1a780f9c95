using System.Globalization;
using Status499.ArcGisServer;

namespace Status499.TestHost;

/// <summary>
/// <c>TestHost:TokenLifetimeSeconds</c>: minted tokens live exactly that long whatever expiration is asked, and
/// <c>expires</c> says so, so a test can watch a token expire and a client refresh it within seconds.
/// </summary>
internal static class FixedTokenLifetime
{
    public const string Key = "TestHost:TokenLifetimeSeconds";

    public static Status499Builder WithFixedTokenLifetime(this Status499Builder builder, IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrEmpty(value))
        {
            return builder;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            throw new InvalidOperationException($"{Key} must be a positive whole number of seconds; it is '{value}'.");
        }

        // generateToken takes expiration in whole minutes, so MaxExpiration alone cannot give a few seconds: decorate
        // the issuer that AddArcGisSignedTokens registered.
        var lifetime = TimeSpan.FromSeconds(seconds);
        builder.Services.Configure<ArcGisTokenOptions>(o =>
        {
            o.DefaultExpiration = lifetime;
            o.MaxExpiration = lifetime;
        });
        var services = builder.Services;
        var signed = services.Last(d => d.ServiceType == typeof(ITokenIssuer));
        services.Remove(signed);
        services.AddSingleton<ITokenIssuer>(sp => new Issuer(Resolve(signed, sp), lifetime));
        return builder;
    }

    private static ITokenIssuer Resolve(ServiceDescriptor registered, IServiceProvider services) =>
        registered.ImplementationInstance as ITokenIssuer
        ?? (registered.ImplementationFactory is { } factory
            ? (ITokenIssuer)factory(services)
            : (ITokenIssuer)ActivatorUtilities.CreateInstance(services, registered.ImplementationType!));

    private sealed class Issuer(ITokenIssuer inner, TimeSpan lifetime) : ITokenIssuer
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
