using Status499;
using Status499.Tokens;

// README "Quick start": the two snippets of the first screen, each as a user writes it into Program.cs.
internal static class QuickStart
{
    public static void RecordClientClosedRequests(WebApplicationBuilder builder)
    {
        builder.Services.AddStatus499();
        var app = builder.Build();
        app.UseRouting();
        app.UseStatus499();
    }

    public static void RequireToken(WebApplicationBuilder builder)
    {
        builder.Services.AddStatus499()
            .AddTokenValidator(ctx => ValueTask.FromResult(IsKnownToken(ctx.Token)   // or .AddStaticTokens("dev-token")
                ? TokenValidatorResult.Valid()
                : TokenValidatorResult.Invalid()));
        var app = builder.Build();
        app.UseRouting();
        app.UseStatus499();
        app.MapGet("/api/report", () => "report").RequireToken();   // no token: 499; Invalid(): 498
    }

    // The user's own check (a database, a token service); the README leaves it out.
    private static bool IsKnownToken(string token) => token.Length > 0;
}
