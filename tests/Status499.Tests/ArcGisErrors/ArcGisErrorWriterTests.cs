using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Status499.Tests.Infrastructure;
using static Status499.Tests.Tokens.TokenTestApp;

namespace Status499.Tests.ArcGisErrors;

// The ArcGIS contract on real Kestrel: bodies byte for byte, status lines, formats.
public sealed class ArcGisErrorWriterTests
{
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
}
