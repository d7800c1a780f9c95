using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499;
using Status499.ArcGisServer;
using Status499.ClientClosed;
using Status499.Meanings;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the ArcGIS Server endpoints that clients use to discover the token service and to sign in, so that the
/// ArcGIS Maps SDK for JavaScript and arcgis-rest-js can complete a round trip against token-protected routes.
/// </summary>
/// <remarks>
/// Both endpoints are anonymous and carry <see cref="Status499Meaning.None"/> metadata, so a
/// <see cref="Status499Meaning.TokenRequired"/> route pattern covering them (for example <c>/arcgis/{**path}</c>) does
/// not protect them. Both answer JSON with HTTP 200, errors included, as ArcGIS does; <c>f=pjson</c> indents it, any
/// other <c>f</c> (including <c>html</c>) gets compact JSON.
/// </remarks>
public static class ArcGisEndpointRouteBuilderExtensions
{
    private static readonly string[] s_getAndPost = [HttpMethods.Get, HttpMethods.Post];

    /// <summary>
    /// Maps <c>rest/info</c> (GET and POST), which tells clients that the server uses tokens and where to get one:
    /// <c>{"currentVersion":11.3,"fullVersion":"11.3.0","authInfo":{"isTokenBasedSecurity":true,"tokenServicesUrl":"…","shortLivedTokenValidity":60}}</c>.
    /// </summary>
    /// <remarks>
    /// <c>tokenServicesUrl</c> is absolute and, for a path, built from the request's scheme, host and path base, so an
    /// http client is never sent to an https URL (the Maps SDK then fails to sign in); behind a reverse proxy call
    /// <c>UseForwardedHeaders()</c> first. The host comes from the request's <c>Host</c> header: restrict it with
    /// <c>AllowedHosts</c> (host filtering), or pass an absolute <paramref name="tokenServicesPath"/> such as
    /// <c>https://gis.example.com/arcgis/tokens/generateToken</c> to send a fixed public URL whatever the request says. <c>shortLivedTokenValidity</c> is <see cref="ArcGisTokenOptions.DefaultExpiration"/>
    /// in minutes, rounded up.
    /// </remarks>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The route of rest/info; ArcGIS clients look for <c>&lt;root&gt;/rest/info</c> next to <c>&lt;root&gt;/rest/services</c>.</param>
    /// <param name="tokenServicesPath">
    /// The path of generateToken as mapped by <see cref="MapArcGisGenerateToken"/>, starting with '/', relative to the
    /// path base; or its absolute public http(s) URL, sent as it is.
    /// </param>
    /// <returns>A builder for further conventions.</returns>
    public static IEndpointConventionBuilder MapArcGisRestInfo(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern = "/arcgis/rest/info",
        string tokenServicesPath = "/arcgis/tokens/generateToken")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentException.ThrowIfNullOrEmpty(tokenServicesPath);
        var absolute = Uri.TryCreate(tokenServicesPath, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
        if ((!absolute && tokenServicesPath[0] != '/') || tokenServicesPath.Contains('?', StringComparison.Ordinal) || tokenServicesPath.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                "The token services path must start with '/' (or be an absolute http(s) URL) and have no query or fragment, for example \"/arcgis/tokens/generateToken\".",
                nameof(tokenServicesPath));
        }

        var services = endpoints.ServiceProvider;
        var handler = new ArcGisRestInfoEndpoint(services.GetRequiredService<IOptions<ArcGisTokenOptions>>(), ClientAbortOf(services), tokenServicesPath);
        return Map(endpoints, pattern, handler.HandleAsync, "ArcGIS rest/info");
    }

    /// <summary>
    /// Maps <c>generateToken</c>: a form POST of <c>username</c>, <c>password</c> and optionally <c>client</c>
    /// (<c>referer</c>, <c>ip</c>, <c>requestip</c>), <c>referer</c>, <c>ip</c>, <c>expiration</c> (minutes) and <c>f</c>,
    /// answered <c>{"token":"…","expires":&lt;epoch ms&gt;,"ssl":false}</c> by the registered <see cref="ITokenIssuer"/>.
    /// </summary>
    /// <remarks>
    /// Bad credentials, missing parameters and portal token exchanges (<c>serverUrl</c> and <c>token</c> without a
    /// username) are answered with HTTP 200 and an ArcGIS error body with code 400, the same for an unknown user as for a
    /// wrong password. Answers are never cached; the password and the token are never logged. GET is refused unless
    /// <see cref="ArcGisTokenOptions.AllowGet"/> is set. The expiration defaults to and is capped at the values in
    /// <see cref="ArcGisTokenOptions"/>.
    /// </remarks>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The route of generateToken; ArcGIS Server uses <c>&lt;site&gt;/tokens/generateToken</c>.</param>
    /// <returns>A builder for further conventions.</returns>
    /// <exception cref="InvalidOperationException">No <see cref="ITokenIssuer"/> is registered.</exception>
    public static IEndpointConventionBuilder MapArcGisGenerateToken(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern = "/arcgis/tokens/generateToken")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);

        var services = endpoints.ServiceProvider;
        if (services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(ITokenIssuer)))
        {
            throw new InvalidOperationException(
                "MapArcGisGenerateToken needs an ITokenIssuer. Call builder.Services.AddStatus499().AddArcGisSignedTokens(...) or register your own ITokenIssuer.");
        }

        var options = services.GetRequiredService<IOptions<ArcGisTokenOptions>>();
        var clientAbort = ClientAbortOf(services);
        var protection = GenerateTokenProtection.For(services, options.Value, clientAbort);
        var handler = new ArcGisGenerateTokenEndpoint(options, clientAbort, services.GetRequiredService<ILoggerFactory>(), protection.Throttle, protection.Lockout);
        return Map(endpoints, pattern, handler.HandleAsync, "ArcGIS generateToken");
    }

    // Registered by AddStatus499(); an app may map these endpoints with its own ITokenIssuer and without it.
    private static ClientAbort ClientAbortOf(IServiceProvider services)
        => services.GetService<ClientAbort>() ?? new ClientAbort(services.GetRequiredService<IHostApplicationLifetime>());

    private static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string pattern, RequestDelegate handler, string displayName)
    {
        // A RequestDelegate, not a Delegate: no Request Delegate Generator and no reflection, so trimming- and AOT-safe.
        var builder = endpoints.MapMethods(pattern, s_getAndPost, handler);
        builder.Add(static endpoint => endpoint.Metadata.Add(Status499MeaningMetadata.None));
        builder.WithDisplayName(displayName);
        return builder;
    }
}
