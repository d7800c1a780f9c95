// Imports every namespace whose type names could clash with Status499's (CS0104 would fail this build).
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using Status499;
using Status499.Tokens;

public sealed class MyTokenValidator : ITokenValidator
{
    public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
        => ValueTask.FromResult(context.Token == "let-me-in"
            ? TokenValidatorResult.Valid(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "reader")], "token")))
            : TokenValidatorResult.Invalid());
}

internal static class ClashingNamespacesAreUsable
{
    // The same file uses the framework types whose names Status499 must not take.
    public static object[] Touch() =>
    [
        typeof(TokenValidationParameters),
        typeof(Microsoft.IdentityModel.Tokens.TokenValidationResult),
        typeof(TokenOptions),
        typeof(AuthenticationOptions),
        JwtBearerDefaults.AuthenticationScheme,
        typeof(TokenRequiredOptions),
        typeof(TokenValidatorResult),
    ];
}
