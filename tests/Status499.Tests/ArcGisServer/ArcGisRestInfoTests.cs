using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

public sealed class ArcGisRestInfoTests
{
    [Fact]
    public async Task Rest_info_points_to_generateToken_with_the_request_scheme_and_host_even_under_a_token_route()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var response = await client.GetAsync("/arcgis/rest/info?f=json");
        var json = await JsonAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        json.GetProperty("currentVersion").GetDecimal().Should().Be(11.3m);
        json.GetProperty("fullVersion").GetString().Should().Be("11.3.0");
        var authInfo = json.GetProperty("authInfo");
        authInfo.GetProperty("isTokenBasedSecurity").GetBoolean().Should().BeTrue();
        authInfo.GetProperty("tokenServicesUrl").GetString().Should().Be($"http://127.0.0.1:{app.Port}/arcgis/tokens/generateToken");
        authInfo.GetProperty("shortLivedTokenValidity").GetInt32().Should().Be(60);
    }

    [Fact]
    public async Task Rest_info_behind_a_proxy_uses_the_forwarded_scheme_and_host()
    {
        await using var app = await StartAsync(beforeStatus499: a => a.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        }));
        using var client = Client(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/arcgis/rest/info?f=json");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "maps.example.com");

        var json = await JsonAsync(await client.SendAsync(request));

        json.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be("https://maps.example.com/arcgis/tokens/generateToken");
    }

    [Fact]
    public async Task Rest_info_with_a_fixed_public_url_ignores_a_forged_Host_header()
    {
        await using var app = await StartAsync(beforeStatus499: a => a.MapArcGisRestInfo("/fixed/rest/info", "https://gis.example.com/arcgis/tokens/generateToken"));
        using var client = Client(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fixed/rest/info?f=json");
        request.Headers.Host = "evil.example";

        var json = await JsonAsync(await client.SendAsync(request));

        json.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be("https://gis.example.com/arcgis/tokens/generateToken");
    }

    [Fact]
    public async Task Rest_info_includes_the_path_base()
    {
        await using var app = await StartAsync(beforeStatus499: a => a.UsePathBase("/gis"));
        using var client = Client(app);

        var json = await JsonAsync(await client.GetAsync("/gis/arcgis/rest/info?f=json"));

        json.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be($"http://127.0.0.1:{app.Port}/gis/arcgis/tokens/generateToken");
    }

    [Fact]
    public async Task Rest_info_answers_a_form_POST_and_indents_pjson()
    {
        await using var app = await StartAsync(configure: o => o.DefaultExpiration = TimeSpan.FromSeconds(90));
        using var client = Client(app);

        var (response, json) = await PostAsync(client, "/arcgis/rest/info", ("f", "pjson"));

        (await response.Content.ReadAsStringAsync()).Should().Contain("\n  \"currentVersion\"");
        json.GetProperty("authInfo").GetProperty("shortLivedTokenValidity").GetInt32().Should().Be(2, "90 seconds round up to 2 minutes");
    }

    [Fact]
    public async Task Rest_info_without_f_answers_json()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var response = await client.GetAsync("/arcgis/rest/info");

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await JsonAsync(response)).GetProperty("authInfo").GetProperty("isTokenBasedSecurity").GetBoolean().Should().BeTrue();
    }
}
