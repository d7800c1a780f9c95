using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// Per-route permissions with ASP.NET Core authorization (policies, roles, [Authorize]) on token routes, on real
// Kestrel. A user whose valid token lacks a permission gets ArcGIS's 403 body, as when the validator itself answers
// Forbidden, whether or not the app has an authentication scheme; other routes keep the framework's behaviour.
public sealed class TokenAuthorizationResultHandlerTests
{
    private const string Forbidden403 = """{"error":{"code":403,"message":"You do not have permissions to access this resource or perform this operation.","messageCode":"GWM_0003","details":[]}}""";

    // admin-token and reader-token carry users with those roles; anonymous-token is valid but names no user.
    private static ValueTask<TokenValidatorResult> Validate(TokenValidatorContext context) => ValueTask.FromResult(context.Token switch
    {
        "admin-token" => TokenValidatorResult.Valid(User("ada", "admin")),
        "reader-token" => TokenValidatorResult.Valid(User("rob", "reader")),
        "anonymous-token" => TokenValidatorResult.Valid(),
        _ => TokenValidatorResult.Invalid(),
    });

    private static ClaimsPrincipal User(string name, string role)
        => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "token"));

    private static Task<TestApp> StartAsync(bool appScheme = false) => TestApp.StartAsync(
        a =>
        {
            a.UseAuthorization(); // after UseStatus499(), so policies see the token's user
            a.MapGet("/admin", (HttpContext c) => "hello " + c.User.Identity!.Name).RequireToken().RequireAuthorization(p => p.RequireRole("admin"));
            a.MapGet("/signed-in", (HttpContext c) => "signed in").RequireToken().RequireAuthorization();
            a.MapGet("/open", () => "open").RequireToken().AllowAnonymous();
            a.MapGet("/app-admin", () => "app admin").DisableStatus499().RequireAuthorization(p => p.RequireRole("admin"));
            a.MapControllers();
        },
        configureBuilder: b => b.AddTokenValidator(Validate),
        beforeStatus499: a => a.UseAuthentication(),
        services: s =>
        {
            s.AddAuthorization();
            var authentication = s.AddAuthentication();
            if (appScheme)
            {
                authentication.AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
                s.Configure<AuthenticationOptions>(o => o.DefaultScheme = HeaderUserHandler.SchemeName);
            }

            s.AddControllers().AddApplicationPart(typeof(AuthorizationAdminController).Assembly);
        });

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? token = null, string? appUser = null)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Add("X-Esri-Authorization", "Bearer " + token);
        }

        if (appUser is not null)
        {
            request.Headers.Add(HeaderUserHandler.Header, appUser);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/admin", false)]
    [InlineData("/mvc-authorization/admin", false)]
    [InlineData("/admin", true)]
    [InlineData("/mvc-authorization/admin", true)]
    public async Task A_role_policy_lets_the_allowed_user_in_and_answers_the_refused_one_with_ArcGIS_403(string path, bool appScheme)
    {
        await using var app = await StartAsync(appScheme);

        (await GetAsync(app, path, "admin-token")).Should().Be((HttpStatusCode.OK, "hello ada"));
        (await GetAsync(app, path, "reader-token")).Should().Be((HttpStatusCode.Forbidden, Forbidden403));

        // The token layer still answers first: no token, a bad token.
        (await GetAsync(app, path)).Body.Should().Contain("\"code\":499");
        (await GetAsync(app, path, "wrong")).Body.Should().Contain("\"code\":498");

        var refusal = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenAuthorizationRefused").Subject;
        refusal.Id.Id.Should().Be(70);
        refusal.Message.Should().Contain(path).And.Contain("forbidden").And.NotContain("reader-token");
        app.TokenRejections.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["status499.reason"], "forbidden"));
        app.WarningsAndErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_valid_token_without_a_user_refused_by_an_authenticated_user_policy_gets_ArcGIS_403_not_a_challenge()
    {
        await using var app = await StartAsync();

        (await GetAsync(app, "/signed-in", "admin-token")).Should().Be((HttpStatusCode.OK, "signed in"));
        (await GetAsync(app, "/signed-in", "anonymous-token")).Should().Be((HttpStatusCode.Forbidden, Forbidden403));
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenAuthorizationRefused").Which.Message.Should().Contain("challenged");
        app.WarningsAndErrors.Should().BeEmpty();
    }

    // The app's own scheme answers its own routes as it always did: a challenge (401) and a forbid (403, its body).
    [Fact]
    public async Task Routes_without_a_token_keep_the_apps_own_authentication_answers()
    {
        await using var app = await StartAsync(appScheme: true);

        (await GetAsync(app, "/app-admin")).Should().Be((HttpStatusCode.Unauthorized, ""));
        (await GetAsync(app, "/app-admin", appUser: "reader")).Should().Be((HttpStatusCode.Forbidden, HeaderUserHandler.ForbiddenBody));
        (await GetAsync(app, "/app-admin", appUser: "admin")).Should().Be((HttpStatusCode.OK, "app admin"));
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "TokenAuthorizationRefused");
    }

    // AllowAnonymous() lifts ASP.NET Core authorization only; the token stays required (DisableStatus499() lifts that).
    [Fact]
    public async Task AllowAnonymous_does_not_lift_token_protection()
    {
        await using var app = await StartAsync();

        (await GetAsync(app, "/open")).Body.Should().Contain("\"code\":499");
        (await GetAsync(app, "/open", "wrong")).Body.Should().Contain("\"code\":498");
        (await GetAsync(app, "/open", "anonymous-token")).Should().Be((HttpStatusCode.OK, "open"));
    }

    // Authorization that runs before UseStatus499() (here the one WebApplication adds by itself when UseRouting() is
    // left to it) judges the request before the token's user is known: the request is still refused, and the log says
    // how to order the pipeline.
    [Fact]
    public async Task Authorization_before_the_token_check_is_refused_and_logged_with_the_fix()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication();
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);
        builder.Services.AddStatus499().AddTokenValidator(Validate);
        await using var app = builder.Build();
        app.UseStatus499();
        app.MapGet("/admin", () => "admin").RequireToken().RequireAuthorization(p => p.RequireRole("admin"));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Add("X-Esri-Authorization", "Bearer admin-token");

        using var response = await http.SendAsync(request);

        response.StatusCode.Should().NotBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("admin");
        var logs = app.Services.GetFakeLogCollector();
        (await Signal.EventuallyAsync(() => logs.GetSnapshot().Any(r => r.Id.Name == "AuthorizationBeforeTokenCheck")))
            .Should().BeTrue();
        logs.GetSnapshot().First(r => r.Id.Name == "AuthorizationBeforeTokenCheck").Message.Should().Contain("app.UseAuthorization() after app.UseStatus499()");
    }
}

// A scheme that takes the user from a header ("admin", "reader"), answering its challenge 401 and its forbid 403 with
// a body of its own: what an app with cookie or JWT authentication does on its other routes.
internal sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HeaderUser";
    public const string Header = "X-Test-User";
    public const string ForbiddenBody = "app forbid";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[Header].ToString() is not { Length: > 0 } role)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(user, SchemeName)));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Response.WriteAsync(ForbiddenBody);
    }
}

[Route("mvc-authorization")]
[RequireToken]
public sealed class AuthorizationAdminController : ControllerBase
{
    [HttpGet("admin")]
    [Authorize(Roles = "admin")]
    public string Admin() => "hello " + User.Identity!.Name;
}
