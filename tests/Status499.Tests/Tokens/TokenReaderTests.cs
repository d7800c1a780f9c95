using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

public sealed class TokenReaderTests
{
    private const string TokenRequired = """{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]}}""";

    private static async Task<(HttpResponseMessage Response, string Body, Observation Seen)> SendAsync(TestApp app, HttpRequestMessage request)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response, body, await app.Observer.WaitAsync());
    }

    public static TheoryData<string, TokenSource> Sources() => new()
    {
        { "esri", TokenSource.EsriAuthorizationHeader },
        { "authorization", TokenSource.AuthorizationHeader },
        { "query", TokenSource.Query },
        { "form", TokenSource.Form },
        { "cookie", TokenSource.Cookie },
    };

    private static HttpRequestMessage RequestWithToken(string source, string token)
    {
        var request = source switch
        {
            "query" => new HttpRequestMessage(HttpMethod.Get, "/secure?f=json&token=" + token),
            "form" => new HttpRequestMessage(HttpMethod.Post, "/secure?f=json")
            {
                Content = new FormUrlEncodedContent([new("name", "x"), new("token", token)]),
            },
            _ => new HttpRequestMessage(HttpMethod.Get, "/secure?f=json"),
        };
        switch (source)
        {
            case "esri":
                request.Headers.Add("X-Esri-Authorization", "Bearer " + token);
                break;
            case "authorization":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
            case "cookie":
                request.Headers.Add("Cookie", "agstoken=" + token);
                break;
        }

        return request;
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Token_is_read_from_each_source(string source, TokenSource expected)
    {
        await using var app = await TokenTestApp.StartAsync(o => o.Token.CookieName = "agstoken");

        var (response, body, seen) = await SendAsync(app, RequestWithToken(source, "good"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().StartWith(source == "form" ? "form name=x raw=" : "hello alice");
        seen.TokenSource.Should().Be(expected);
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
    }

    [Fact]
    public async Task Form_token_leaves_the_form_and_the_raw_body_readable_by_the_endpoint()
    {
        await using var app = await TokenTestApp.StartAsync();

        var (_, body, _) = await SendAsync(app, RequestWithToken("form", "good"));

        body.Should().Be("form name=x raw=" + "name=x&token=good".Length);
    }

    [Fact]
    public async Task Disabled_source_is_not_read()
    {
        await using var app = await TokenTestApp.StartAsync(o => o.Token.Sources.Remove(TokenSource.Query));

        var (_, body, seen) = await SendAsync(app, RequestWithToken("query", "good"));

        body.Should().Be(TokenRequired);
        seen.TokenOutcome.Should().Be(TokenOutcome.Missing);
    }

    [Theory]
    [InlineData("X-Esri-Authorization", "Bearer ")]
    [InlineData("Authorization", "Bearer")]
    [InlineData("Authorization", "Basic dXNlcjpwYXNz")]
    public async Task Empty_token_or_another_authorization_scheme_counts_as_missing(string header, string value)
    {
        await using var app = await TokenTestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure?f=json&token=");
        request.Headers.TryAddWithoutValidation(header, value);

        var (_, body, _) = await SendAsync(app, request);

        body.Should().Be(TokenRequired);
    }

    [Fact]
    public async Task Same_token_in_two_sources_is_accepted()
    {
        await using var app = await TokenTestApp.StartAsync();
        using var request = RequestWithToken("query", "good");
        request.Headers.Add("X-Esri-Authorization", "Bearer good");

        var (response, _, seen) = await SendAsync(app, request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        seen.TokenSource.Should().Be(TokenSource.EsriAuthorizationHeader, "sources are read in the configured order");
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "conflicting", "A different token was sent in more than one place." },
        { "several", "More than one token was sent." },
        { "oversized", "The token is longer than 64 characters." },
        { "malformed-esri", "The X-Esri-Authorization or Authorization header is not 'Bearer <token>'." },
        { "spaces", "The X-Esri-Authorization or Authorization header is not 'Bearer <token>'." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_token_input_gets_a_clear_400_in_the_ArcGIS_format(string kind, string detail)
    {
        await using var app = await TokenTestApp.StartAsync(o => o.Token.MaxTokenLength = 64);
        var request = kind switch
        {
            "conflicting" => RequestWithToken("query", "good"),
            "several" => new HttpRequestMessage(HttpMethod.Get, "/secure?f=json&token=good&token=good"),
            "oversized" => RequestWithToken("query", new string('x', 65)),
            _ => new HttpRequestMessage(HttpMethod.Get, "/secure?f=json"),
        };
        switch (kind)
        {
            case "conflicting":
                request.Headers.Add("X-Esri-Authorization", "Bearer other");
                break;
            case "malformed-esri":
                request.Headers.TryAddWithoutValidation("X-Esri-Authorization", "Token good");
                break;
            case "spaces":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer good extra");
                break;
        }

        var (response, body, seen) = await SendAsync(app, request);

        response.StatusCode.Should().Be(HttpStatusCode.OK, "f=json requests get ArcGIS-style 200");
        body.Should().Be("{\"error\":{\"code\":400,\"message\":\"Unable to complete operation.\",\"details\":[\"" + detail + "\"]}}");
        seen.TokenOutcome.Should().Be(TokenOutcome.Malformed);
        app.LogsExceptHostingRequestLines.Should().Contain(r => r.Id.Name == "TokenMalformed")
            .And.NotContain(r => r.Message.Contains("good") || r.Message.Contains("other"));
        request.Dispose();
    }

    // UseCors() placed before UseStatus499() answers the preflight itself; the token layer (its outermost guard included)
    // must let that answer out unchanged. Without the library this would be the same 204, so every assertion here is
    // about what the library could break: the status, the CORS headers, an empty body, no rejection counted or logged.
    [Fact]
    public async Task Cors_preflight_passes_untouched()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", (HttpContext c) => $"hello {c.User.Identity?.Name}").RequireToken().RequireCors("sites"),
            configureBuilder: b => b.AddTokenValidator(TokenTestApp.Validate),
            services: s => s.AddCors(o => o.AddPolicy("sites", p => p.WithOrigins("https://example.org").WithMethods("GET").WithHeaders("X-Esri-Authorization"))),
            beforeStatus499: a => { a.UseRouting(); a.UseCors(); });
        using var request = new HttpRequestMessage(HttpMethod.Options, "/secure");
        request.Headers.Add("Origin", "https://example.org");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "X-Esri-Authorization");

        var (response, body, seen) = await SendAsync(app, request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, "UseCors() answered the preflight");
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://example.org");
        response.Headers.GetValues("Access-Control-Allow-Methods").Should().Equal("GET");
        response.Headers.GetValues("Access-Control-Allow-Headers").Should().Equal("X-Esri-Authorization");
        body.Should().BeEmpty();
        seen.StatusCode.Should().Be(204);
        seen.TokenOutcome.Should().Be(TokenOutcome.NotChecked, "a preflight carries no token and is not refused for it");
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty();
        app.WarningsAndErrors.Should().BeEmpty();
        app.LogsExceptHostingRequestLines.Should().NotContain(r => r.Category == "Status499.TokenValidation");
    }
}
