using Microsoft.Extensions.Options;
using Status499;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Adds the Status499 middleware to the pipeline.
/// </summary>
public static class Status499ApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the middleware that records client-closed requests as 499 and validates tokens on token routes.
    /// </summary>
    /// <remarks>
    /// Place it after <c>UseRouting()</c> (it reads endpoint metadata; with minimal hosting the routing middleware
    /// runs first unless you call <c>UseRouting()</c> yourself), after the middleware whose view of the request you
    /// want to show 499 (<c>UseHttpLogging()</c>, <c>UseW3CLogging()</c>, <c>UseExceptionHandler()</c>), and before
    /// <c>UseAuthentication()</c>/<c>UseAuthorization()</c> when token routes should answer the ArcGIS way.
    /// Every middleware placed before it sees the 499; those placed after it see the request as it happened.
    /// </remarks>
    /// <param name="app">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IApplicationBuilder UseStatus499(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (app.ApplicationServices.GetService(typeof(IOptions<Status499Options>)) is null
            || app.ApplicationServices.GetService(typeof(Status499Metrics)) is null)
        {
            throw new InvalidOperationException(
                "Status499's services are not registered. Call builder.Services.AddStatus499(...) before app.UseStatus499().");
        }

        return app.UseMiddleware<Status499Middleware>();
    }
}
