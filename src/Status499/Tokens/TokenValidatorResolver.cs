using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Status499.Tokens;

// Finds the ITokenValidator for a request. The first read of HttpContext.RequestServices creates the request's DI
// scope (about 180 B: the scope and its resolved-services dictionary, github.com/dotnet/aspnetcore
// src/Http/Http/src/Features/RequestServicesFeature.cs), which a plain minimal API endpoint never pays. A singleton
// validator (every validator the Status499 builder registers) is the same instance in every scope, so once the first
// request has shown it is, it is kept; a scoped or transient one is still resolved from the request's scope.
internal sealed class TokenValidatorResolver
{
    private readonly IServiceProvider _root;

    // Registered as a singleton in the collection, and not yet seen to be anything else.
    private bool _maybeSingleton;
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
                _maybeSingleton = descriptor.Lifetime == ServiceLifetime.Singleton;
                break;
            }
        }
    }

    // Throws what the container throws (a validator whose construction fails); the caller refuses the request.
    public ITokenValidator? Resolve(HttpContext context)
    {
        if (_cached is { } cached)
        {
            return cached;
        }

        var fromRequest = context.RequestServices.GetService<ITokenValidator>();
        if (_maybeSingleton)
        {
            // Trust the descriptor only once the container agrees: a third-party container (Autofac, through
            // ConfigureContainer) can register the validator per scope outside the collection, and a per-scope
            // validator must never be shared by concurrent requests.
            if (fromRequest is not null && ReferenceEquals(fromRequest, _root.GetService<ITokenValidator>()))
            {
                _cached = fromRequest;
            }
            else
            {
                _maybeSingleton = false;
            }
        }

        return fromRequest;
    }
}
