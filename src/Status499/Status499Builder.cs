using Microsoft.Extensions.DependencyInjection;

namespace Status499;

/// <summary>
/// Returned by <c>AddStatus499</c> so that token validators and issuers can be chained onto the registration.
/// </summary>
public sealed class Status499Builder
{
    internal Status499Builder(IServiceCollection services) => Services = services;

    /// <summary>The application's service collection.</summary>
    public IServiceCollection Services { get; }
}
