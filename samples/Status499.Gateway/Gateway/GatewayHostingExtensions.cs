using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;

namespace Status499.Gateway;

/// <summary>Sets up the gateway from configuration: <c>builder.AddStatus499Gateway()</c>, then <c>app.MapStatus499Gateway()</c>.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>
    /// Adds Status499 (the "Status499" section), signed ArcGIS tokens for the users of the "Gateway" section, the
    /// shared state of several instances (Gateway:Redis) and YARP (the "ReverseProxy" section).
    /// </summary>
    /// <param name="builder">The application's builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static WebApplicationBuilder AddStatus499Gateway(this WebApplicationBuilder builder)
    {
        var options = new GatewayOptions();
        builder.Configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        if (options.Users.Count == 0)
        {
            throw new InvalidOperationException(
                "Gateway:Users is empty, so nobody could sign in at generateToken. Add a user, for example with the environment "
                + "variables Gateway__Users__0__Username and Gateway__Users__0__Password (docs/gateway.md).");
        }

        foreach (var (clusterId, upstream) in options.Upstreams)
        {
            if (upstream.Problem(clusterId) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }
        }

        if (options.RateLimit is { } limit && (limit.PermitLimit < 1 || limit.Window <= TimeSpan.Zero))
        {
            throw new InvalidOperationException(
                "Gateway:RateLimit needs a PermitLimit of at least 1 and a positive Window (docs/gateway.md).");
        }

        foreach (var referer in options.AllowedReferers)
        {
            if (referer != "*" && !Uri.TryCreate(referer, UriKind.Absolute, out _))
            {
                throw new InvalidOperationException(
                    $"Gateway:AllowedReferers has '{referer}', which is neither an absolute URL prefix nor \"*\" (docs/gateway.md).");
            }
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<GatewayRefererCheck>();
        GatewaySharedState.Add(builder.Services, options);
        if (options.RateLimit is not null)
        {
            GatewayRateLimit.Add(builder.Services, options);
        }

        builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"))
            .AddArcGisSignedTokens(o =>
            {
                foreach (var user in options.Users)
                {
                    o.AddUser(user.Username, user.Password);
                }
            });

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(GatewayTokenRemoval.Apply);

        // Clusters with credentials (Gateway:Upstreams) get the service's token on every forwarded request.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UpstreamTokenCache>();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, GatewayForwarderHttpClientFactory>();

        return builder;
    }

    /// <summary>
    /// Maps the gateway: <c>UseStatus499()</c>, rest/info and generateToken of its own, and every YARP route, each
    /// token-required unless its route metadata says otherwise (<c>"Status499Meaning"</c>).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application, for chaining.</returns>
    public static WebApplication MapStatus499Gateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        app.UseRouting();
        app.UseStatus499();
        if (options.RateLimit is not null)
        {
            // After UseStatus499(): a client that leaves while its request waits is recorded, and a refusal is counted.
            app.UseRateLimiter();
        }

        // rest/info points clients at the gateway's own generateToken (an absolute URL from the request's host).
        app.MapArcGisRestInfo(options.RestInfoPath, options.GenerateTokenPath);
        app.MapArcGisGenerateToken(options.GenerateTokenPath);

        var refererCheck = app.Services.GetRequiredService<GatewayRefererCheck>();
        var proxied = app.MapReverseProxy(proxy =>
            {
                if (refererCheck.IsEnabled)
                {
                    proxy.Use(refererCheck.InvokeAsync);
                }

                proxy.Use(ForwarderErrorHandling.InvokeAsync);

                // What MapReverseProxy() adds when given no pipeline of its own.
                proxy.UseSessionAffinity();
                proxy.UseLoadBalancing();
                proxy.UsePassiveHealthChecks();
            })
            // Per route, from its YARP metadata (GatewayRouteMeaning): token-required unless a route opts out by name.
            .ConfigureEndpoints(static (endpoint, route) =>
            {
                var meaning = new Status499MeaningAttribute(GatewayRouteMeaning.Of(route));
                endpoint.Add(b => b.Metadata.Add(meaning));
            });
        if (options.RateLimit is not null)
        {
            proxied.RequireRateLimiting(GatewayRateLimit.PolicyName);
        }

        return app;
    }
}
