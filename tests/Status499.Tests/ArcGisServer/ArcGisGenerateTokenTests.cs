using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

public sealed class ArcGisGenerateTokenTests
{
    private const string InvalidCredentialsBody =
        "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":[\"Invalid username or password.\"]}}";

    [Fact]
    public async Task Token_from_a_Maps_SDK_style_sign_in_is_accepted_on_a_RequireToken_route()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time);
        using var client = Client(app);

        // What the ArcGIS Maps SDK posts: request=getToken, no client, no referer (arcgis-contract.md §7).
        var (response, json) = await PostAsync(client, GenerateTokenPath,
            ("request", "getToken"), ("username", Username), ("password", Password), ("expiration", "60"), ("f", "json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        json.GetProperty("expires").GetInt64().Should().Be(time.GetUtcNow().AddMinutes(60).ToUnixTimeMilliseconds());
        json.GetProperty("ssl").GetBoolean().Should().BeFalse();
        var protectedResponse = await GetProtectedAsync(client, json.GetProperty("token").GetString()!);
        protectedResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        (await protectedResponse.Content.ReadAsStringAsync()).Should().Be(Username);
    }

    [Fact]
    public async Task A_long_expiration_is_capped_not_refused()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, o => o.MaxExpiration = TimeSpan.FromHours(2));
        using var client = Client(app);

        // arcgis-rest-js asks for two weeks.
        var (_, json) = await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", Password), ("expiration", "20160"), ("f", "json"));

        json.GetProperty("expires").GetInt64().Should().Be(time.GetUtcNow().AddHours(2).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Without_expiration_the_default_applies()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, o => o.DefaultExpiration = TimeSpan.FromMinutes(15));
        using var client = Client(app);

        var (_, json) = await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", Password));

        json.GetProperty("expires").GetInt64().Should().Be(time.GetUtcNow().AddMinutes(15).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_answer()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var (wrongPassword, _) = await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", "nope"), ("f", "json"));
        var (unknownUser, _) = await PostAsync(client, GenerateTokenPath, ("username", "mallory"), ("password", Password), ("f", "json"));
        var (wrongCase, _) = await PostAsync(client, GenerateTokenPath, ("username", Username.ToUpperInvariant()), ("password", Password), ("f", "json"));

        foreach (var response in new[] { wrongPassword, unknownUser, wrongCase })
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "ArcGIS answers errors with 200; clients read the body");
            response.Headers.CacheControl!.NoStore.Should().BeTrue();
            (await response.Content.ReadAsStringAsync()).Should().Be(InvalidCredentialsBody);
        }
    }

    [Theory]
    [InlineData("", "'username' must be specified.")]
    [InlineData("username=alice", "'password' must be specified.")]
    [InlineData("password=x", "'username' must be specified.")]
    [InlineData("username=alice&password=x&client=referer", "'referer' must be specified.")]
    [InlineData("username=alice&password=x&client=ip", "'ip' must be specified.")]
    [InlineData("username=alice&password=x&client=ip&ip=not-an-ip", "'ip' is not an IP address.")]
    [InlineData("username=alice&password=x&client=browser", "'client' must be referer, ip or requestip.")]
    [InlineData("username=alice&password=x&expiration=soon", "'expiration' must be a whole number of minutes.")]
    [InlineData("username=alice&password=x&expiration=-5", "'expiration' must be a whole number of minutes.")]
    public async Task Missing_or_bad_parameters_are_an_ArcGIS_error_never_a_500(string form, string detail)
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");

        var response = await client.PostAsync(GenerateTokenPath + "?f=json", content);
        var raw = await response.Content.ReadAsStringAsync();
        var json = System.Text.Json.JsonDocument.Parse(raw).RootElement;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        raw.Should().Contain(detail, "quotes are written as ArcGIS writes them, not as \\u0027");
        json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400);
        json.GetProperty("error").GetProperty("message").GetString().Should().Be("Unable to generate token.");
        json.GetProperty("error").GetProperty("details").EnumerateArray().Select(d => d.GetString()).Should().Contain(detail);
    }

    [Fact]
    public async Task A_JSON_body_is_not_read_for_credentials()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using var content = new StringContent($"{{\"username\":\"{Username}\",\"password\":\"{Password}\"}}", Encoding.UTF8, "application/json");

        var json = await JsonAsync(await client.PostAsync(GenerateTokenPath, content));

        json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400);
    }

    [Fact]
    public async Task A_portal_token_exchange_is_refused_with_an_ArcGIS_error()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        // What arcgis-rest-js 4.10 sends when it only knows the server: serverUrl + a portal token, no username.
        var (response, json) = await PostAsync(client, GenerateTokenPath,
            ("serverUrl", app.BaseAddress + "arcgis/rest/services"), ("token", "portal-token"), ("f", "json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400);
        json.GetProperty("error").GetProperty("details")[0].GetString().Should().Contain("serverUrl");
    }

    [Fact]
    public async Task GET_is_refused_unless_allowed()
    {
        await using (var app = await StartAsync())
        {
            using var client = Client(app);
            var json = await JsonAsync(await client.GetAsync($"{GenerateTokenPath}?username={Username}&password={Uri.EscapeDataString(Password)}&f=json"));
            json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(405);
        }

        await using (var app = await StartAsync(configure: o => o.AllowGet = true))
        {
            using var client = Client(app);
            var json = await JsonAsync(await client.GetAsync($"{GenerateTokenPath}?username={Username}&password={Uri.EscapeDataString(Password)}&f=json"));
            json.TryGetProperty("token", out _).Should().BeTrue();
        }
    }

    [Fact]
    public async Task RequireHttps_refuses_plain_http_with_SSL_Required()
    {
        await using var app = await StartAsync(configure: o => o.RequireHttps = true);
        using var client = Client(app);

        var (_, json) = await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", Password), ("f", "json"));

        json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(403);
        json.GetProperty("error").GetProperty("message").GetString().Should().Be("SSL Required");
    }

    [Fact]
    public async Task Pjson_answers_are_indented()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var (response, _) = await PostAsync(client, GenerateTokenPath + "?f=pjson", ("username", Username), ("password", "nope"));

        (await response.Content.ReadAsStringAsync()).Should().Contain("\n  \"error\"");
    }

    [Fact]
    public async Task ValidateCredentials_sees_the_request_and_its_services()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            configureBuilder: b => b.AddArcGisSignedTokens(o => o.ValidateCredentials = r =>
                new(r.HttpContext.RequestServices is not null && r.Username == "svc" && r.Password == "pw" && r.Lifetime == TimeSpan.FromMinutes(5))));
        using var client = Client(app);

        var (_, ok) = await PostAsync(client, GenerateTokenPath, ("username", "svc"), ("password", "pw"), ("expiration", "5"));
        var (_, refused) = await PostAsync(client, GenerateTokenPath, ("username", "svc"), ("password", "wrong"), ("expiration", "5"));

        ok.TryGetProperty("token", out _).Should().BeTrue();
        refused.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400);
    }

    [Fact]
    public async Task An_issuer_that_throws_is_an_ArcGIS_error_and_the_password_stays_out_of_the_log()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            services: s => s.AddSingleton<ITokenIssuer>(new ThrowingIssuer()));
        using var client = Client(app);

        var (response, json) = await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", Password));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.GetProperty("error").GetProperty("code").GetInt32().Should().Be(500);
        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenIssuerFailed").Subject;
        record.Exception.Should().BeNull("the exception carried the password");
        ArcGisSignedTokenTests.AssertNoSecretsLogged(app, Password);
    }

    [Fact]
    public void MapArcGisGenerateToken_without_an_issuer_says_what_to_register()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddStatus499();
        using var app = builder.Build();

        FluentActions.Invoking(() => app.MapArcGisGenerateToken()).Should().Throw<InvalidOperationException>().WithMessage("*AddArcGisSignedTokens*");
    }

    [Theory]
    [InlineData("default>max", "ArcGisTokenOptions.DefaultExpiration")]
    [InlineData("no users", "ValidateCredentials or call AddUser")]
    public async Task Bad_options_stop_startup_naming_the_option(string problem, string named)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);
        builder.Services.AddStatus499().AddArcGisSignedTokens(o =>
        {
            if (problem != "no users")
            {
                o.AddUser("u", "p");
            }

            if (problem == "default>max")
            {
                o.DefaultExpiration = TimeSpan.FromHours(2);
                o.MaxExpiration = TimeSpan.FromHours(1);
            }
        });
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        var message = (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message;
        message.Should().Contain(named);
    }

    private sealed class ThrowingIssuer : ITokenIssuer
    {
        public ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request)
            => throw new InvalidOperationException("user store rejected " + request.Password);
    }
}
