using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Status499.ClientClosed;
using Status499.Diagnostics;
using Status499.Pipeline;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Adds the Status499 middleware to the pipeline.
/// </summary>
public static class Status499ApplicationBuilderExtensions
{
    // The property UseRouting() sets on the application builder (EndpointRoutingApplicationBuilderExtensions), the
    // same key the framework's own middleware use to find out whether routing runs before them.
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";

    /// <summary>
    /// Adds the middleware that records client-closed requests as 499 and validates tokens on token routes.
    /// </summary>
    /// <remarks>
    /// Place it after <c>UseRouting()</c> (it reads endpoint metadata; with minimal hosting the routing middleware
    /// runs first unless you call <c>UseRouting()</c> yourself), after the middleware whose view of the request you
    /// want to show 499 (<c>UseHttpLogging()</c>, <c>UseW3CLogging()</c>, <c>UseExceptionHandler()</c>), and before
    /// <c>UseAuthentication()</c>/<c>UseAuthorization()</c> when token routes should answer the ArcGIS way.
    /// Every middleware placed before it sees the 499; those placed after it see the request as it happened.
    /// The app refuses to start when <c>UseRouting()</c> is called after it, and a response on a token route that it
    /// did not check is refused with 500 (see "Fail closed, whatever the pipeline" in docs/tokens.md).
    /// </remarks>
    /// <param name="app">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IApplicationBuilder UseStatus499(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var handshake = app.ApplicationServices.GetService<Status499PipelineHandshake>();
        if (handshake is null || app.ApplicationServices.GetService<Status499Metrics>() is null)
        {
            throw new InvalidOperationException(
                "Status499's services are not registered. Call builder.Services.AddStatus499(...) before app.UseStatus499().");
        }

        handshake.OnMiddlewareAdded();
        var routingBefore = app.Properties.ContainsKey(EndpointRouteBuilderKey);
        var endpointsBefore = EndpointsAlreadyRun(app);
        return app.Use(next =>
        {
            // Runs when the pipeline is built, after every Use* call: UseRouting() added after UseStatus499() would
            // hide endpoint metadata from it, and token endpoints would run unchecked.
            if (!routingBefore && app.Properties.ContainsKey(EndpointRouteBuilderKey))
            {
                throw new InvalidOperationException(
                    "app.UseStatus499() is called before app.UseRouting(), so it cannot see which endpoint a request goes to " +
                    "and could not protect token routes. Call app.UseStatus499() after app.UseRouting().");
            }

            if (endpointsBefore && Status499StartupFilter.FindTokenRouteDeclaration(app.ApplicationServices) is { } declaration)
            {
                throw new InvalidOperationException(
                    $"app.UseStatus499() is called after app.UseEndpoints(), so the endpoints answer before it and {declaration} " +
                    "would run without a token check. Call app.UseStatus499() after app.UseRouting() and before app.UseEndpoints().");
            }

            // Listens to the rate limiter's metrics from now on, before the first request can queue.
            app.ApplicationServices.GetRequiredService<RateLimiterQueueObserver>();
            return ActivatorUtilities.CreateInstance<Status499Middleware>(app.ApplicationServices, next, handshake.GuardInstalled).InvokeAsync;
        });
    }

    // UseEndpoints() sets no marker, but it registers its route builder's data sources with the app-wide
    // CompositeEndpointDataSource, and only it does (minimal hosting adds its own UseEndpoints() when the pipeline is
    // built, after every user call): data sources of this branch's route builder already registered mean
    // UseEndpoints() ran before this call.
    private static bool EndpointsAlreadyRun(IApplicationBuilder app)
    {
        if (!app.Properties.TryGetValue(EndpointRouteBuilderKey, out var value) || value is not IEndpointRouteBuilder routes
            || app.ApplicationServices.GetService<EndpointDataSource>() is not CompositeEndpointDataSource registered)
        {
            return false;
        }

        return routes.DataSources.Any(registered.DataSources.Contains);
    }
}
