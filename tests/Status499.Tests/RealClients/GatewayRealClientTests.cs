using System.Text.Json;

namespace Status499.Tests.RealClients;

// The gateway sample (samples/Status499.Gateway) and the demo (samples/Status499.Demo, its own token check switched off
// as docs/gateway.md "To try it" does) as two processes, one pair per test class: real ArcGIS clients sign in at the
// gateway and read the demo's features through it. Between the two sits a wire tap (UpstreamTap): the demo with its
// check off answers the same with or without a token and its HTTP log leaves out query strings and headers, so only a
// recorder on the gateway-to-demo leg can show that the gateway's token never reaches the service.
public sealed class GatewayRealClientFixture : IAsyncLifetime
{
    public string Username { get; } = "analyst-" + Guid.NewGuid().ToString("N")[..8];

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    internal SampleProcess Demo { get; private set; } = null!;

    internal UpstreamTap Tap { get; private set; } = null!;

    internal SampleProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Demo = await SampleProcess.StartDemoAsync(new Dictionary<string, string?> { ["Status499__Routes__0__Meaning"] = "ClientClosedRequest" });
        Tap = await UpstreamTap.StartAsync(new Uri(Demo.Url));
        Gateway = await GatewayClients.StartGatewayAsync(Username, Password, new Dictionary<string, string?>
        {
            ["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = Tap.Address.ToString(),
        });
    }

    /// <summary>Signs in at the gateway's generateToken as its configured user, as a client would (form POST).</summary>
    public Task<string> GatewayTokenAsync() => GatewayClients.GenerateTokenAsync(Gateway.Url + "/arcgis/tokens/generateToken", Username, Password);

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Tap.DisposeAsync();
        await Demo.DisposeAsync();
    }
}

[Collection(RealClientsGroup.Name)]
public sealed class GatewayRealClientTests(GatewayRealClientFixture fixture) : IClassFixture<GatewayRealClientFixture>
{
    private const string LayerPath = "/arcgis/rest/services/Demo/FeatureServer/0";

    private const string QueryPath = LayerPath + "/query";

    private string QueryUrl(string query) => $"{fixture.Gateway.Url}{QueryPath}?{query}";

    [Fact]
    public async Task Ogrinfo_lists_the_demo_features_through_the_gateway_with_its_token_and_gets_499_without()
    {
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;
        var withToken = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + QueryUrl($"where=1%3D1&outFields=*&f=json&token={Uri.EscapeDataString(token)}")]);
        var viaHeader = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-q", "ESRIJSON:" + QueryUrl("where=OBJECTID%3C4&outFields=OBJECTID,NAME&f=json")],
            headers: $"X-Esri-Authorization: Bearer {token}");
        var reached = fixture.Tap.Since(mark);
        var without = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + QueryUrl("where=1%3D1&outFields=*&f=json")]);
        var reachedWithout = fixture.Tap.Since(mark + reached.Length);
        // ogrinfo prints only "Missing 'fields' member" for an ArcGIS error body (the ESRIJSON driver reads it as a
        // feature set), so the answer it got is read again here, the same URL over HTTP.
        using var http = new HttpClient();
        var answer = await http.GetStringAsync(new Uri(QueryUrl("where=1%3D1&outFields=*&f=json")));

        withToken.ExitCode.Should().Be(0, withToken.Describe());
        withToken.Stdout.Should().Contain("Geometry: Point").And.Contain("Feature Count: 12")
            .And.Contain("NAME: String").And.Contain("CATEGORY: String").And.Contain("OPENED: Integer");
        viaHeader.ExitCode.Should().Be(0, viaHeader.Describe());
        viaHeader.Stdout.Split('\n').Where(l => l.Contains("NAME (String) = ", StringComparison.Ordinal)).Select(l => l.Split(" = ")[1].Trim())
            .Should().Equal("Smiley Library", "Redlands Bowl", "Kimberly Crest");
        GatewayClients.ShouldCarryNoToken(reached, atLeast: 2);

        without.ExitCode.Should().NotBe(0, without.Describe());
        without.Stdout.Should().NotContain("Feature Count");
        without.Stderr.Should().Contain("Failed to read ESRIJSON data", without.Describe());
        using (var error = JsonDocument.Parse(answer))
        {
            error.RootElement.GetProperty("error").GetProperty("code").GetInt32().Should().Be(499, answer);
            error.RootElement.GetProperty("error").GetProperty("message").GetString().Should().Be("Token Required", answer);
        }

        reachedWithout.Should().BeEmpty("the gateway answers a request without a token itself");
        fixture.Gateway.Output.Should().NotContain("fail:");
    }

    [Fact]
    public async Task Qgis_loads_the_demo_layer_through_the_gateway_with_its_token_and_finds_it_invalid_without()
    {
        var layerUrl = fixture.Gateway.Url + "/arcgis/rest/services/Demo/FeatureServer/0";
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;

        // The gateway's token in QGIS's EsriToken auth config: X-Esri-Authorization on each of the layer's requests.
        var read = await QgisTool.ReadLayerAsync(layerUrl, token);
        var reached = fixture.Tap.Since(mark);
        var without = await QgisTool.ReadLayerAsync(layerUrl, token: null);
        var bad = await QgisTool.ReadLayerAsync(layerUrl, "not-a-token-" + Guid.NewGuid().ToString("N"));
        var reachedWithout = fixture.Tap.Since(mark + reached.Length);

        read.Valid.Should().BeTrue(read.ToString());
        read.FeatureCount.Should().Be(12, read.ToString());
        read.Names.Should().HaveCount(12).And.OnlyHaveUniqueItems().And.Contain("Esri Campus");
        reached.Select(r => new Uri("http://x" + r.Target).AbsolutePath)
            .Should().Equal(LayerPath, QueryPath, QueryPath);
        GatewayClients.ShouldCarryNoToken(reached, atLeast: 3);

        without.Valid.Should().BeFalse(without.ToString());
        without.Errors.Should().Equal(["Error 499: Token Required"], without.ToString());
        bad.Valid.Should().BeFalse(bad.ToString());
        bad.Errors.Should().Equal(["Error 498: Invalid token."], bad.ToString());
        reachedWithout.Should().BeEmpty("the gateway answers a request without a token or with a bad one itself");
        fixture.Gateway.Output.Should().NotContain("fail:");
    }

    [Fact]
    public async Task Arcgis_rest_js_signs_in_at_the_gateway_and_queries_the_demo_through_it()
    {
        await RealClientHarness.EnsureClientsAsync(mapsSdk: false);

        // feature-service.mjs as it runs against the test host, pointed at the gateway: 499 without a token, 498 for a
        // bad one (both the gateway's), then ArcGISIdentityManager finds the gateway's generateToken in its rest/info.
        await GatewayClients.ShouldSignInAndQueryThroughAsync(fixture.Gateway, fixture.Tap, fixture.Username, fixture.Password, QueryPath);
    }
}
