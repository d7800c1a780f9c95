using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Validators;

// The adapter over an existing authentication scheme, with real signed JWTs and the real JwtBearer handler.
public sealed class AuthenticationSchemeTokenValidatorTests
{
    private static readonly SymmetricSecurityKey s_key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string CreateJwt(DateTime expires, SymmetricSecurityKey? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("name", "carol")]),
        Issuer = "status499-tests",
        Audience = "status499",
        NotBefore = expires.AddHours(-2),
        IssuedAt = expires.AddHours(-2),
        Expires = expires,
        SigningCredentials = new SigningCredentials(key ?? s_key, SecurityAlgorithms.HmacSha256),
    });

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(
        a => a.MapGet("/secure", (HttpContext c) => "hello " + c.User.FindFirst("name")?.Value).RequireToken(),
        configureBuilder: b => b.AddAuthenticationSchemeTokenValidator(JwtBearerDefaults.AuthenticationScheme),
        services: s => s.AddAuthentication().AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = "status499-tests",
                ValidAudience = "status499",
                IssuerSigningKey = s_key,
                ClockSkew = TimeSpan.Zero,
            };
        }));

    [Theory]
    [InlineData("query")]
    [InlineData("esri")]
    public async Task Valid_jwt_from_any_source_sets_the_user(string source)
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var jwt = CreateJwt(DateTime.UtcNow.AddHours(1));
        using var request = new HttpRequestMessage(HttpMethod.Get, source == "query" ? "/secure?f=json&token=" + jwt : "/secure?f=json");
        if (source == "esri")
        {
            request.Headers.Add("X-Esri-Authorization", "Bearer " + jwt);
        }

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be("hello carol");
    }

    [Fact]
    public async Task Expired_jwt_is_498_and_logged_as_expired()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var jwt = CreateJwt(DateTime.UtcNow.AddMinutes(-5));

        (await http.GetStringAsync("/secure?f=json&token=" + jwt)).Should().Be("""{"error":{"code":498,"message":"Invalid token.","details":[]}}""");
        app.LogsExceptHostingRequestLines.Should().Contain(r => r.Id.Name == "TokenExpired").And.NotContain(r => r.Message.Contains(jwt));
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.Expired);
    }

    [Fact]
    public async Task Jwt_signed_with_another_key_is_498()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var jwt = CreateJwt(DateTime.UtcNow.AddHours(1), new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

        (await http.GetStringAsync("/secure?f=json&token=" + jwt)).Should().Be("""{"error":{"code":498,"message":"Invalid token.","details":[]}}""");
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.Invalid);
    }
}
