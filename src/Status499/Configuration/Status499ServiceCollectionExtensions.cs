using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Status499;
using Status499.ClientClosed;
using Status499.Configuration;
using Status499.ContinueAfterClientAbort;
using Status499.Diagnostics;
using Status499.Meanings;
using Status499.Mvc;
using Status499.Pipeline;
using Status499.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Status499's services.
/// </summary>
public static class Status499ServiceCollectionExtensions
{
    /// <summary>
    /// Adds Status499 with options set in code. Options are validated when the host starts; a bad route pattern or
    /// setting stops startup with a message naming it.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets <see cref="Status499Options"/>, for example <c>o =&gt; o.MapRoute("/arcgis/{**path}", Status499Meaning.TokenRequired)</c>.</param>
    /// <returns>A builder to chain token validators onto.</returns>
    public static Status499Builder AddStatus499(this IServiceCollection services, Action<Status499Options>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<Status499Options>().ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Status499Options>, Status499OptionsValidator>());
        services.TryAddSingleton<Status499Metrics>();
        services.TryAddSingleton<ClientAbort>();
        services.TryAddSingleton<ClientClosedSignals>();
        services.TryAddSingleton<RateLimiterQueueObserver>();
        services.TryAddSingleton<RateLimiterOrderCheck>();
        services.TryAddSingleton<TokenRequestHandler>();

        // Reads the final collection when first resolved (after the host is built) to learn the validator's lifetime.
        services.TryAddSingleton(sp => new TokenValidatorResolver(sp, services));
        services.TryAddSingleton(static sp => new MeaningResolver(sp.GetRequiredService<IOptions<Status499Options>>().Value));
        services.TryAddSingleton(static sp => new ContinueAfterClientAbortResolver(sp.GetRequiredService<IOptions<Status499Options>>().Value));
        services.TryAddSingleton<Status499PipelineHandshake>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, Status499StartupFilter>());
        AnswerAuthorizationRefusalsOnTokenRoutes(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpLoggingInterceptor, HttpLoggingOrderCheck>());

        // MVC's exception filters never see a client's abort (Mvc/ClientAbortExceptionFilter.cs). Inert without MVC:
        // nothing reads MvcOptions.
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<MvcOptions>, Status499MvcOptionsSetup>());
        return new Status499Builder(services);
    }

    // Takes the place of the framework's IAuthorizationMiddlewareResultHandler, which it keeps for everything but
    // refusals on token routes. AddAuthorization() registers the framework's with TryAdd: called later it adds nothing,
    // called earlier its registration is replaced. An app's own handler is left alone: it answers refusals itself.
    private static void AnswerAuthorizationRefusalsOnTokenRoutes(IServiceCollection services)
    {
        var descriptor = ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, TokenAuthorizationResultHandler>();
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IAuthorizationMiddlewareResultHandler) && !services[i].IsKeyedService)
            {
                if (services[i].ImplementationType == typeof(AuthorizationMiddlewareResultHandler))
                {
                    services[i] = descriptor;
                }

                return;
            }
        }

        services.Add(descriptor);
    }

    /// <summary>
    /// Adds Status499 with options read from configuration (for example the <c>Status499</c> section of
    /// <c>appsettings.json</c>), then <paramref name="configure"/>. Unknown keys, values that do not convert (a meaning
    /// or log level given as a number, too) and bad route patterns stop startup with a message naming the configuration
    /// key. Binding is source-generated, so it is trimming- and AOT-safe.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The configuration section, for example <c>builder.Configuration.GetSection("Status499")</c>.</param>
    /// <param name="configure">Optional code settings applied after the configuration.</param>
    /// <returns>A builder to chain token validators onto.</returns>
    public static Status499Builder AddStatus499(this IServiceCollection services, IConfiguration configuration, Action<Status499Options>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.Configure<Status499Options>(options => Status499ConfigurationBinder.Bind(configuration, options));
        return services.AddStatus499(configure);
    }
}
