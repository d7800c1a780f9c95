using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Primitives;

namespace Status499;

// Reuses an ASP.NET Core authentication scheme (JwtBearer, or any handler that reads "Authorization: Bearer"):
// the token, wherever ArcGIS clients sent it, is presented to the scheme as a bearer header for the duration of
// AuthenticateAsync, then the original header is put back.
internal sealed class AuthenticationSchemeTokenValidator(string scheme) : ITokenValidator
{
    public async ValueTask<TokenValidationResult> ValidateAsync(TokenValidationContext context)
    {
        var headers = context.HttpContext.Request.Headers;
        var original = headers.Authorization;
        headers.Authorization = new StringValues("Bearer " + context.Token);
        AuthenticateResult result;
        try
        {
            result = await context.HttpContext.AuthenticateAsync(scheme);
        }
        finally
        {
            headers.Authorization = original;
        }

        if (result.Succeeded)
        {
            return TokenValidationResult.Valid(result.Principal);
        }

        // Microsoft.IdentityModel's SecurityTokenExpiredException, matched by name so this library needs no reference to it.
        for (var failure = result.Failure; failure is not null; failure = failure.InnerException)
        {
            if (failure.GetType().Name == "SecurityTokenExpiredException")
            {
                return TokenValidationResult.Expired();
            }
        }

        return TokenValidationResult.Invalid();
    }
}
