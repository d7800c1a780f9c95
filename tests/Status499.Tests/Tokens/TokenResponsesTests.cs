using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// The ArcGIS contract on real Kestrel: bodies byte for byte, status lines, formats.
public sealed class TokenResponsesTests
{
    private const string OnlineTokenRequired = """{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]}}""";
    private const string OnlineInvalid = """{"error":{"code":498,"message":"Invalid token.","details":[]}}""";
    private const string OnlineForbidden = """{"error":{"code":403,"message":"You do not have permissions to access this resource or perform this operation.","messageCode":"GWM_0003","details":[]}}""";

    internal static Task<TestApp> StartAsync(Action<Status499Options>? configure = null, Func<TokenValidatorContext, ValueTask<TokenValidatorResult>>? validator = null)
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

    internal static ValueTask<TokenValidatorResult> Validate(TokenValidatorContext context) => new(context.Token switch
    {
        "good" => TokenValidatorResult.Valid(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test"))),
        "expired" => TokenValidatorResult.Expired(),
        "forbidden" => TokenValidatorResult.Forbidden(),
        _ => TokenValidatorResult.Invalid(),
    });

    [Theory]
    [InlineData("", OnlineTokenRequired, "token_required")]
    [InlineData("&token=bogus", OnlineInvalid, "invalid_token")]
    [InlineData("&token=expired", OnlineInvalid, "expired_token")]
    [InlineData("&token=forbidden", OnlineForbidden, "forbidden")]
    public async Task ArcGis_style_request_gets_200_and_the_exact_ArcGIS_body(string token, string body, string reason)
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/secure?f=json" + token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(body);
        response.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var measurement = app.TokenRejections.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measurement.Tags["status499.reason"].Should().Be(reason);
        measurement.Tags["http.route"].Should().Be("/secure");
    }

    [Fact]
    public async Task TestServer_answers_the_same_contract()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", (HttpContext c) => $"hello {c.User.Identity?.Name}").RequireToken(),
            configureBuilder: b => b.AddTokenValidator(Validate),
            testServer: true);
        var client = app.CreateTestServerClient();

        (await client.GetStringAsync("/secure?f=json")).Should().Be(OnlineTokenRequired);
        (await client.GetStringAsync("/secure?f=json&token=bogus")).Should().Be(OnlineInvalid);
        (await client.GetStringAsync("/secure?f=json&token=good")).Should().Be("hello alice");
        ((int)(await client.GetAsync("/secure")).StatusCode).Should().Be(499);
    }

    [Fact]
    public async Task Valid_token_reaches_the_endpoint_as_the_validated_user()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&token=good")).Should().Be("hello alice");

        var seen = await app.Observer.WaitAsync();
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
        seen.TokenSource.Should().Be(TokenSource.Query);
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Theory]
    [InlineData("", "499 Token Required")]
    [InlineData("?token=bogus", "498 Invalid Token")]
    [InlineData("?token=forbidden", "403 Forbidden")]
    public async Task Non_ArcGIS_request_gets_the_code_on_the_status_line_with_the_ArcGIS_reason_phrase(string query, string statusLine)
    {
        await using var app = await StartAsync();
        using var client = await RawHttpClient.ConnectAsync(app.Port);

        await client.SendAsync($"GET /secure{query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var response = await client.ReceiveToEndAsync();

        response.Should().StartWith("HTTP/1.1 " + statusLine + "\r\n");
        response.Should().Contain("\"error\":{\"code\":" + statusLine[..3]);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(int.Parse(statusLine[..3], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WebSocket_upgrade_request_on_a_token_route_still_needs_a_token()
    {
        await using var app = await StartAsync();
        using var client = await RawHttpClient.ConnectAsync(app.Port);

        await client.SendAsync("GET /secure HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var response = await client.ReceiveUntilAsync("}}");

        response.Should().StartWith("HTTP/1.1 499 Token Required\r\n").And.EndWith(OnlineTokenRequired);
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.Missing);
    }

    [Theory]
    [InlineData(TokenErrorStatusMode.ArcGisCompatible, "", 200)]
    [InlineData(TokenErrorStatusMode.StatusCode, "&f=json", 499)]
    public async Task Status_mode_option_overrides_auto(TokenErrorStatusMode mode, string f, int expected)
    {
        await using var app = await StartAsync(o => o.Token.StatusMode = mode);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/secure?x=1" + f);

        ((int)response.StatusCode).Should().Be(expected);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"code\":499");
    }

    [Fact]
    public async Task Enterprise_dialect_sends_the_on_premises_strings()
    {
        await using var app = await StartAsync(o => o.Token.Dialect = ArcGisDialect.Enterprise);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json")).Should().Be("""{"error":{"code":499,"message":"Token Required","details":[]}}""");
        (await http.GetStringAsync("/secure?f=json&token=bogus")).Should().Be("""{"error":{"code":498,"message":"Invalid Token","details":[]}}""");
    }

    [Fact]
    public async Task Messages_can_be_overridden_and_codes_stay()
    {
        await using var app = await StartAsync(o => o.Token.TokenRequiredMessage = "Sign in <first>");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json")).Should().Be("""{"error":{"code":499,"message":"Sign in <first>","messageCode":"GWM_0003","details":["Sign in <first>"]}}""");
        using var html = await http.GetAsync("/secure?f=html");
        ((int)html.StatusCode).Should().Be(499, "f=html is not an ArcGIS JSON request, so Auto puts the code on the status line");
        (await html.Content.ReadAsStringAsync()).Should().Contain("Sign in &lt;first&gt;").And.NotContain("<first>");
    }

    [Fact]
    public async Task Pjson_is_indented_json()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var body = await http.GetStringAsync("/secure?f=pjson");

        body.Should().Contain("\n").And.Contain("\"code\": 499");
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetInt32().Should().Be(499);
    }

    [Fact]
    public async Task Html_format_is_a_small_page_with_status_200()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/secure?f=html");

        response.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<h1>Error: 499</h1>").And.Contain("Token Required");
    }

    [Fact]
    public async Task Problem_details_for_clients_that_ask_for_them()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
        request.Headers.Accept.ParseAdd("application/problem+json");

        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(499);
        response.Content.Headers.ContentType!.ToString().Should().Be("application/problem+json; charset=utf-8");
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"type":"about:blank","title":"Token Required","status":499,"detail":"Token Required","code":499}""");
    }

    [Fact]
    public async Task Plain_text_for_clients_that_accept_only_text()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure?token=bogus");
        request.Headers.Accept.ParseAdd("text/plain");

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be("498 Invalid token.\n");
    }

    [Theory]
    [InlineData("cb", true)]
    [InlineData("dojo.io.script.jsonp_dojoIoScript1._jsonpCallback", true)]
    [InlineData("alert(1)//", false)]
    [InlineData("a..b", false)]
    [InlineData("1abc", false)]
    public async Task Jsonp_only_when_enabled_and_only_for_safe_identifiers(string callback, bool wrapped)
    {
        await using var app = await StartAsync(o => o.Token.EnableJsonp = true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/secure?f=json&callback=" + Uri.EscapeDataString(callback));
        var body = await response.Content.ReadAsStringAsync();

        if (wrapped)
        {
            body.Should().Be("/**/" + callback + "(" + OnlineTokenRequired + ");");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/javascript");
        }
        else
        {
            body.Should().Be(OnlineTokenRequired);
        }
    }

    [Fact]
    public async Task Jsonp_is_ignored_when_disabled()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&callback=cb")).Should().Be(OnlineTokenRequired);
    }

    [Fact]
    public async Task Token_never_appears_in_a_log_line()
    {
        const string Secret = "bogus-secret-token-value";
        await using var app = await StartAsync(validator: c => c.Token == "good" ? TokenResponsesTests.Validate(c) : throw new InvalidOperationException("rejected " + c.Token));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure?f=json");
        request.Headers.Add("X-Esri-Authorization", "Bearer " + Secret);

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be(OnlineInvalid, "a validator that throws fails closed");
        var records = app.Logs.GetSnapshot();
        records.Should().Contain(r => r.Id.Name == "TokenValidatorFailed" && r.Level == LogLevel.Error);
        records.Should().NotContain(r => r.Message.Contains(Secret) || (r.Exception != null && r.Exception.ToString().Contains(Secret)));
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.ValidatorFailed);
    }

    [Fact]
    public async Task Validator_that_times_out_fails_closed()
    {
        await using var app = await StartAsync(
            o => o.Token.ValidationTimeout = TimeSpan.FromMilliseconds(200),
            async c =>
            {
                await Task.Delay(Timeout.Infinite, c.CancellationToken);
                return TokenValidatorResult.Valid();
            });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&token=slow")).Should().Be(OnlineInvalid);
        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "TokenValidatorTimedOut");
        app.TokenRejections.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.reason"].Should().Be("validator_failed");
    }

    [Fact]
    public async Task No_registered_validator_refuses_to_start_naming_the_route()
    {
        await FluentActions.Awaiting(() => TestApp.StartAsync(a => a.MapGet("/secure", () => "reached").RequireToken()))
            .Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*/secure*requires a token, but no token validator is registered*AddTokenValidator*");
    }

    [Fact]
    public async Task Client_that_leaves_a_token_route_is_counted_but_its_status_is_not_rewritten()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure-slow", async (HttpContext c) =>
            {
                entered.Set();
                await Signal.WhenCancelled(c.RequestAborted);
                await c.Response.WriteAsync("late");
            }).RequireToken(),
            configureBuilder: b => b.AddStaticTokens("good"));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync("GET /secure-slow HTTP/1.1\r\nHost: localhost\r\nX-Esri-Authorization: Bearer good\r\n\r\n");
            await entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(200, "on a TokenRequired route a 499 means Token Required, so a disconnect is not rewritten");
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
        seen.TokenSource.Should().Be(TokenSource.EsriAuthorizationHeader);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.meaning"].Should().Be("token_required");
    }
}
