using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Status499;
using Status499.ArcGisServer;
using Status499.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ArcGIS token issuer and validator on the <see cref="Status499Builder"/>.</summary>
public static class ArcGisTokenStatus499BuilderExtensions
{
    /// <summary>
    /// Issues and accepts expiring tokens protected by ASP.NET Core Data Protection, optionally bound to a referer or an
    /// IP address: registers an <see cref="ITokenIssuer"/> for <c>MapArcGisGenerateToken</c> and a token validator for
    /// token routes. Options are validated when the host starts.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Tokens are encrypted and authenticated with the Data Protection key ring (purpose
    /// <c>Status499.ArcGisSignedTokens.v1</c>, then <see cref="ArcGisTokenOptions.Audience"/>), so its keys rotate and a token stays valid until its own expiry even
    /// after the key that protected it is no longer the default. This calls <c>AddDataProtection()</c>, which keeps any
    /// configuration of your own: for several instances, or tokens that survive a restart in a container, share the key
    /// ring, e.g. <c>builder.Services.AddDataProtection().SetApplicationName("maps").PersistKeysToFileSystem(sharedFolder)</c>
    /// (or the Redis, Azure Blob Storage or Entity Framework Core providers); see
    /// <see href="https://learn.microsoft.com/aspnet/core/security/data-protection/configuration/overview">Configure ASP.NET Core Data Protection</see>.
    /// </para>
    /// <para>
    /// It adds to the token validator registered before it rather than replacing it: a token this issuer did not issue
    /// is passed on to that validator, so <c>.AddStaticTokens(devToken).AddArcGisSignedTokens(...)</c> accepts both.
    /// A token is refused only when no validator accepts it, with the most informative verdict (an expired signed
    /// token is still answered and logged as expired). Call it after the validator it should fall back to.
    /// The clock of token expiry is the <see cref="TimeProvider"/> registered in dependency injection, or
    /// <see cref="TimeProvider.System"/>.
    /// </para>
    /// </remarks>
    /// <param name="builder">The Status499 builder.</param>
    /// <param name="configure">Sets how credentials are checked (<see cref="ArcGisTokenOptions.ValidateCredentials"/> or <see cref="ArcGisTokenOptions.AddUser"/>).</param>
    /// <returns>The same builder.</returns>
    public static Status499Builder AddArcGisSignedTokens(this Status499Builder builder, Action<ArcGisTokenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ArcGisTokenProtector)))
        {
            throw new InvalidOperationException("AddArcGisSignedTokens was already called; configure it once.");
        }

        services.AddOptions<ArcGisTokenOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArcGisTokenOptions>, ArcGisTokenOptionsValidator>());

        // TryAdd throughout: a key ring the app configured (PersistKeysTo..., ProtectKeysWith..., SetApplicationName) wins.
        services.AddDataProtection();
        services.TryAddSingleton(static sp => new ArcGisTokenProtector(
            sp.GetRequiredService<IDataProtectionProvider>(),
            sp.GetRequiredService<IOptions<ArcGisTokenOptions>>().Value.Audience ?? sp.GetService<IHostEnvironment>()?.ApplicationName));
        services.TryAddSingleton(static sp => new ArcGisSignedTokenValidator(
            sp.GetRequiredService<ArcGisTokenProtector>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ITokenIssuer>(static sp => new ArcGisSignedTokenIssuer(
            sp.GetRequiredService<ArcGisTokenProtector>(), sp.GetRequiredService<IOptions<ArcGisTokenOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));

        var previous = builder.RegisteredValidator();
        if (previous is null)
        {
            services.AddSingleton<ITokenValidator>(static sp => sp.GetRequiredService<ArcGisSignedTokenValidator>());
            return builder;
        }

        // Move the previous validator under a private key, so that it stays resolvable (with its own lifetime) as the fallback.
        var key = new object();
        services.Remove(previous);
        services.Add(AsKeyed(previous, key));
        services.Add(new ServiceDescriptor(
            typeof(ITokenValidator),
            sp => new FirstValidTokenValidator([sp.GetRequiredService<ArcGisSignedTokenValidator>(), sp.GetRequiredKeyedService<ITokenValidator>(key)]),
            previous.Lifetime));
        return builder;
    }

    private static ServiceDescriptor AsKeyed(ServiceDescriptor descriptor, object key)
    {
        if (descriptor.ImplementationInstance is { } instance)
        {
            return new ServiceDescriptor(typeof(ITokenValidator), key, instance);
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return new ServiceDescriptor(typeof(ITokenValidator), key, (sp, _) => factory(sp), descriptor.Lifetime);
        }

        return new ServiceDescriptor(typeof(ITokenValidator), key, descriptor.ImplementationType!, descriptor.Lifetime);
    }
}
