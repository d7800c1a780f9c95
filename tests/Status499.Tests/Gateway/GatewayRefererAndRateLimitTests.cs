using System.Net;

namespace Status499.Tests.Gateway;

// What Esri's resource-proxy offered besides credentials, on the gateway: a Referer allow-list and a per-client rate
// limit on proxied requests, refused before anything reaches the service, with the resource-proxy's messages.
public sealed class GatewayRefererAndRateLimitTests
{
    private const string Query = "arcgis/rest/services/Demo/FeatureServer/0/query?where=1%3D1&f=json&token=";

    [Fact]
    public async Task A_referer_outside_the_allow_list_is_refused_with_403_before_the_service()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Gateway:AllowedReferers:0"] = "https://maps.example.com/app/";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        (await GetAsync(client, token, "https://maps.example.com/app/index.html")).Body.Should().Be(ArcGisUpstream.FeaturesJson);
        var (status, body) = await GetAsync(client, token, "https://maps.example.com.evil.test/app/");
        status.Should().Be(HttpStatusCode.Forbidden);
        body.Should().Be("""{"error":{"code":403,"message":"403 - Forbidden: Access is denied.","details":["Proxy is being used from an unsupported referer."]}}""");
        (await GetAsync(client, token, referer: null)).Status.Should().Be(HttpStatusCode.Forbidden, "a browser app sends a Referer");
        upstream.Received.Should().ContainSingle("only the allowed referer's request was forwarded");
    }

    [Fact]
    public async Task Without_an_allow_list_every_referer_passes()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        (await GetAsync(client, token, "https://anywhere.example.org/")).Body.Should().Be(ArcGisUpstream.FeaturesJson);
        (await GetAsync(client, token, referer: null)).Body.Should().Be(ArcGisUpstream.FeaturesJson);
    }

    [Fact]
    public async Task A_client_over_the_rate_limit_gets_429_with_retry_after_and_the_service_sees_nothing_more()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Gateway:RateLimit:PermitLimit"] = "2";
        settings["Gateway:RateLimit:Window"] = "00:01:00";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        (await GetAsync(client, token, referer: null)).Status.Should().Be(HttpStatusCode.OK);
        (await GetAsync(client, token, referer: null)).Status.Should().Be(HttpStatusCode.OK);
        using var refused = await client.GetAsync(Query + token);

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(1));
        (await refused.Content.ReadAsStringAsync()).Should().Be(
            """{"error":{"code":429,"message":"Unable to proxy request for requested resource.","details":["This is a metered resource, number of requests have exceeded the rate limit interval."]}}""");
        upstream.Received.Should().HaveCount(2);
        (await GatewayHost.SignInAsync(client, GatewayHost.Password)).Body.Should().Contain("\"token\"", "generateToken has its own limits, not this one");
    }

    [Theory]
    [InlineData("Gateway:RateLimit:PermitLimit", "0", "Gateway:RateLimit")]
    [InlineData("Gateway:AllowedReferers:0", "maps.example.com", "Gateway:AllowedReferers")]
    public async Task A_bad_setting_stops_startup_naming_it(string key, string value, string named)
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings[key] = value;

        (await FluentActions.Awaiting(() => GatewayHost.StartAsync(settings)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain(named);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string token, string? referer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query + token);
        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
