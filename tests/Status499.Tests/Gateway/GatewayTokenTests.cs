using System.Net;
using System.Text.Json;

namespace Status499.Tests.Gateway;

// The inbound half of the gateway: an unsecured ArcGIS service behind it answers only callers with a gateway token,
// the gateway signs them in itself, and its token never reaches the service.
public sealed class GatewayTokenTests
{
    private const string TokenRequiredBody = """{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]}}""";

    [Fact]
    public async Task A_query_without_a_token_gets_the_499_body_and_never_reaches_the_service()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&f=json");

        response.StatusCode.Should().Be(HttpStatusCode.OK, "ArcGIS answers token errors in 200 OK when f=json");
        (await response.Content.ReadAsStringAsync()).Should().Be(TokenRequiredBody);
        upstream.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task A_made_up_token_gets_498_and_never_reaches_the_service()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&f=json&token=made-up");

        (await response.Content.ReadAsStringAsync()).Should().Contain("\"code\":498");
        upstream.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task A_token_from_the_gateways_generateToken_opens_the_service_and_is_not_forwarded()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var byQuery = await client.GetAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&f=json&token=" + token);
        using var request = new HttpRequestMessage(HttpMethod.Get, ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&f=json");
        request.Headers.Add("X-Esri-Authorization", "Bearer " + token);
        using var byHeader = await client.SendAsync(request);

        byQuery.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byQuery.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the service's JSON passes unchanged");
        (await byHeader.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        upstream.Received.Should().HaveCount(2);
        foreach (var (target, headers, _) in upstream.Received)
        {
            target.Should().Be(ArcGisUpstream.QueryPath + "?where=1%3D1&f=json", "the gateway's token is taken off the query string");
            headers.Should().NotContainKey("X-Esri-Authorization").And.NotContainKey("Authorization");
        }
    }

    [Fact]
    public async Task Rest_info_points_clients_at_the_gateways_own_token_service()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync(GatewayHost.RestInfoPath.TrimStart('/') + "?f=json"));

        var authInfo = json.RootElement.GetProperty("authInfo");
        authInfo.GetProperty("isTokenBasedSecurity").GetBoolean().Should().BeTrue();
        authInfo.GetProperty("tokenServicesUrl").GetString().Should().Be(new Uri(gateway.BaseAddress, GatewayHost.GenerateTokenPath).ToString());
        upstream.Received.Should().BeEmpty("rest/info is the gateway's, not the service's");
    }

    [Fact]
    public async Task A_route_whose_metadata_opts_out_is_public()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["ReverseProxy:Routes:services:Metadata:Status499Meaning"] = "ClientClosedRequest";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();

        (await client.GetStringAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json")).Should().Be(ArcGisUpstream.FeaturesJson);
    }

    [Fact]
    public async Task A_route_whose_metadata_is_misspelled_keeps_the_token()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["ReverseProxy:Routes:services:Metadata:Status499Meaning"] = "Public";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();

        (await client.GetStringAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json")).Should().Be(TokenRequiredBody);
        upstream.Received.Should().BeEmpty();
    }
}
