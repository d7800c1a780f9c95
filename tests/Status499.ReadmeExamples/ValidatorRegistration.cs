using Status499;
using Status499.Tokens;

internal static class ValidatorRegistration
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddStatus499()
            .AddTokenValidator<MyTokenValidator>();                  // DI-activated ITokenValidator (Singleton; pass ServiceLifetime.Scoped for scoped dependencies)
        //  .AddTokenValidator(ctx => ValueTask.FromResult(...))     // a delegate
        //  .AddStaticTokens("dev-token-1", "dev-token-2")           // fixed set, SHA-256 + fixed-time comparison; development and tests
        //  .AddAuthenticationSchemeTokenValidator("Bearer")         // reuse JwtBearer or any bearer scheme you already have
        //  .AddArcGisSignedTokens(o => ...)                         // tokens minted by generateToken, see arcgis-server.md
    }

    public static void Alternatives(WebApplicationBuilder builder, string scheme)
    {
        builder.Services.AddStatus499().AddTokenValidator(ctx => ValueTask.FromResult(TokenValidatorResult.Invalid()));
        builder.Services.AddStatus499().AddStaticTokens("dev-token-1", "dev-token-2");
        builder.Services.AddStatus499().AddAuthenticationSchemeTokenValidator(scheme);
    }
}
