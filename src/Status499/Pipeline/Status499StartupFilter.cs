using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.Diagnostics;
using Status499.Meanings;
using Status499.Tokens;

namespace Status499.Pipeline;

// Registered by AddStatus499(). Puts the TokenRouteGuard in front of the whole pipeline and, once the app has
// configured its pipeline and endpoints, refuses to start when a route is declared TokenRequired but nothing
// could check its token (as EndpointMiddleware refuses endpoints with authorization metadata when
// UseAuthorization() is missing).
internal sealed class Status499StartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<TokenRouteGuard>();
        app.ApplicationServices.GetRequiredService<Status499PipelineHandshake>().OnGuardInstalled();
        next(app);
        VerifyTokenRoutesCanBeChecked(app.ApplicationServices);
        WarnWhenMiddlewareMissing(app.ApplicationServices);
    };

    // Without token routes a forgotten UseStatus499() breaks nothing visible: nothing is recorded and nothing says so.
    // The pipeline is complete here (UseStatus499() in a UseWhen branch is added while the branch is configured).
    private static void WarnWhenMiddlewareMissing(IServiceProvider services)
    {
        if (!services.GetRequiredService<Status499PipelineHandshake>().MiddlewareAdded)
        {
            Status499Log.MiddlewareNotAdded(services.GetRequiredService<ILoggerFactory>().CreateLogger("Status499.Startup"));
        }
    }

    internal static void VerifyTokenRoutesCanBeChecked(IServiceProvider services)
    {
        var pipeline = services.GetRequiredService<Status499PipelineHandshake>();
        var validatorRegistered = services.GetService<IServiceProviderIsService>()?.IsService(typeof(ITokenValidator)) ?? true;
        if (pipeline.MiddlewareAdded && validatorRegistered)
        {
            return;
        }

        var declaration = FindTokenRouteDeclaration(services);
        if (declaration is null)
        {
            return;
        }

        if (!pipeline.MiddlewareAdded)
        {
            throw new InvalidOperationException(
                $"{declaration} requires a token, but app.UseStatus499() was never called, so no token would be checked. " +
                "Call app.UseStatus499() after app.UseRouting() (with minimal hosting, anywhere before the endpoints).");
        }

        throw new InvalidOperationException(
            $"{declaration} requires a token, but no token validator is registered. Chain one onto AddStatus499(): " +
            ".AddTokenValidator<T>(), .AddTokenValidator(delegate), .AddStaticTokens(...), " +
            ".AddAuthenticationSchemeTokenValidator(scheme) or .AddArcGisSignedTokens(...).");
    }

    // The first TokenRequired declaration found, described for an error message; null when the app declares none.
    internal static string? FindTokenRouteDeclaration(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<Status499Options>>().Value;
        if (options.DefaultMeaning == Status499Meaning.TokenRequired)
        {
            return "DefaultMeaning = TokenRequired";
        }

        foreach (var mapping in options.Routes)
        {
            if (mapping.Value == Status499Meaning.TokenRequired)
            {
                return $"The route pattern {mapping.Source}";
            }
        }

        var endpoints = services.GetService<EndpointDataSource>()?.Endpoints ?? [];
        foreach (var endpoint in endpoints)
        {
            if (MeaningResolver.FromMetadata(endpoint.Metadata) == Status499Meaning.TokenRequired)
            {
                return $"The endpoint '{endpoint.DisplayName}'";
            }
        }

        return null;
    }
}
