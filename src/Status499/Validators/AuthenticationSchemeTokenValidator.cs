using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Status499.Tokens;

namespace Status499.Validators;

// Reuses an ASP.NET Core authentication scheme (JwtBearer, or any handler that reads "Authorization: Bearer"):
// the token, wherever the ArcGIS client sent it, is presented to the scheme as a bearer header, then the original
// header is put back.
//
// A fresh handler instance is used on purpose: HttpContext.AuthenticateAsync(scheme) goes through the per-request
// handler cache, and when the scheme is the default one, the authentication middleware that WebApplication adds
// automatically has already run it, without the token, and cached "no result" for this request.
internal sealed class AuthenticationSchemeTokenValidator(string scheme) : ITokenValidator
{
    public async ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
    {
        var httpContext = context.HttpContext;
        var services = httpContext.RequestServices;
        var authenticationScheme = await services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(scheme)
            ?? throw new InvalidOperationException($"No authentication scheme named '{scheme}' is registered.");
        var handler = (IAuthenticationHandler)(services.GetService(authenticationScheme.HandlerType)
            ?? ActivatorUtilities.CreateInstance(services, authenticationScheme.HandlerType));

        var headers = httpContext.Request.Headers;
        var original = headers.Authorization;
        headers.Authorization = new StringValues("Bearer " + context.Token);
        AuthenticateResult result;
        try
        {
            await handler.InitializeAsync(authenticationScheme, httpContext);
            result = await handler.AuthenticateAsync();
        }
        finally
        {
            headers.Authorization = original;
        }

        if (result.Succeeded)
        {
            var user = result.Principal;
            if (services.GetService<IClaimsTransformation>() is { } transformation)
            {
                user = await transformation.TransformAsync(user);
            }

            return TokenValidatorResult.Valid(user);
        }

        // Microsoft.IdentityModel's SecurityTokenExpiredException, matched by name so this library needs no reference to it.
        for (var failure = result.Failure; failure is not null; failure = failure.InnerException)
        {
            if (failure.GetType().Name == "SecurityTokenExpiredException")
            {
                return TokenValidatorResult.Expired();
            }
        }

        return TokenValidatorResult.Invalid();
    }
}
