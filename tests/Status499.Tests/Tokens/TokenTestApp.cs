using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// A token route for the token tests: GET and POST /secure (the POST reads the form, then the raw body), and a validator
// that knows "good" (user alice), "expired" and "forbidden".
internal static class TokenTestApp
{
    public const string OnlineTokenRequired = """{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]}}""";
    public const string OnlineInvalid = """{"error":{"code":498,"message":"Invalid token.","details":[]}}""";
    public const string OnlineForbidden = """{"error":{"code":403,"message":"You do not have permissions to access this resource or perform this operation.","messageCode":"GWM_0003","details":[]}}""";

    public static Task<TestApp> StartAsync(Action<Status499Options>? configure = null, Func<TokenValidatorContext, ValueTask<TokenValidatorResult>>? validator = null)
        => TestApp.StartAsync(
            a =>
            {
                a.MapGet("/secure", (HttpContext c) => $"hello {c.User.Identity?.Name}").RequireToken();
                a.MapPost("/secure", async (HttpContext c) =>
                {
                    var form = await c.Request.ReadFormAsync();
                    c.Request.Body.Position = 0;
                    var raw = await new StreamReader(c.Request.Body).ReadToEndAsync();
                    return $"form name={form["name"]} raw={raw.Length}";
                }).RequireToken();
            },
            configure,
            b => b.AddTokenValidator(validator ?? Validate));

    public static ValueTask<TokenValidatorResult> Validate(TokenValidatorContext context) => new(context.Token switch
    {
        "good" => TokenValidatorResult.Valid(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test"))),
        "expired" => TokenValidatorResult.Expired(),
        "forbidden" => TokenValidatorResult.Forbidden(),
        _ => TokenValidatorResult.Invalid(),
    });
}
