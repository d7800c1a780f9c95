using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Status499.Tokens;

// Finds the ITokenValidator for a request. The first read of HttpContext.RequestServices creates the request's DI
// scope (about 180 B: the scope and its resolved-services dictionary, github.com/dotnet/aspnetcore
// src/Http/Http/src/Features/RequestServicesFeature.cs), which a plain minimal API endpoint never pays. A singleton
// validator (every validator the Status499 builder registers) is the same instance in every scope, so it is taken
// from the root provider; a scoped or transient one is still resolved from the request's scope, as before.
internal sealed class TokenValidatorResolver
{
    private readonly IServiceProvider _root;
    private readonly bool _singleton;
    private ITokenValidator? _cached;

    public TokenValidatorResolver(IServiceProvider root, IServiceCollection services)
    {
        _root = root;

        // The last registration is the one GetService returns.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(ITokenValidator) && !descriptor.IsKeyedService)
            {
                _singleton = descriptor.Lifetime == ServiceLifetime.Singleton;
                break;
            }
        }
    }

    // Throws what the container throws (a validator whose construction fails); the caller refuses the request.
    public ITokenValidator? Resolve(HttpContext context)
        => _singleton
            ? _cached ??= _root.GetService<ITokenValidator>()
            : context.RequestServices.GetService<ITokenValidator>();
}
