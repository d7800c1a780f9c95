using System.Text.Json;

namespace Status499.Tests.RealClients;

// The gateway sample in front of the demo with its token check on (Gateway:Upstreams, as GatewayShortLivedUpstreamTests),
// and the demo restarted between two reads with a new Data Protection key ring: every token it issued before is refused
// (498, in 200 OK with f=json), before it expires. The gateway must see that refusal, sign in again and send the query
// once more, so the client, whose own token (the gateway's) is still good, sees nothing. GDAL and Node's fetch ask for
// compressed answers (Accept-Encoding: gzip), which the gateway forwards, so the demo's refusal comes compressed and in
// chunks, without a Content-Length.
[Collection(RealClientsGroup.Name)]
public sealed class GatewayUpstreamRestartTests
{
    private const string QueryPath = "/arcgis/rest/services/Demo/FeatureServer/0/query";

    private readonly string _username = "analyst-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _password = "pw-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _account = "gateway-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _accountPassword = "pw-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Ogrinfo_keeps_reading_through_the_gateway_when_the_demo_behind_it_forgets_its_tokens()
    {
        var demo = await StartDemoAsync(port: null);
        var port = new Uri(demo.Url).Port;
        await using var tap = await UpstreamTap.StartAsync(new Uri(demo.Url));
        await using var gateway = await StartGatewayAsync(tap);
        try
        {
            var token = await GatewayClients.GenerateTokenAsync(gateway.Url + "/arcgis/tokens/generateToken", _username, _password);
            var url = $"ESRIJSON:{gateway.Url}{QueryPath}?where=1%3D1&outFields=*&f=json";
            var headers = $"X-Esri-Authorization: Bearer {token}";
            var before = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", url], headers);
            before.ExitCode.Should().Be(0, before.Describe());

            await demo.DisposeAsync();
            demo = await StartDemoAsync(port);
            var mark = tap.Received.Count;
            var after = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", url], headers);

            after.ExitCode.Should().Be(0, $"{after.Describe()}\n{gateway.Output}");
            after.Stdout.Should().Contain("Feature Count: 12");
            ShouldHaveBeenRefusedOnceAndSignedInAgain(tap, mark);
            gateway.Output.Should().NotContain("fail:");
        }
        finally
        {
            await demo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Arcgis_rest_js_keeps_querying_through_the_gateway_when_the_demo_behind_it_forgets_its_tokens()
    {
        await RealClientHarness.EnsureClientsAsync(mapsSdk: false);
        var demo = await StartDemoAsync(port: null);
        var port = new Uri(demo.Url).Port;
        await using var tap = await UpstreamTap.StartAsync(new Uri(demo.Url));
        await using var gateway = await StartGatewayAsync(tap);
        try
        {
            var env = new Dictionary<string, string?> { ["DEMO_USERNAME"] = _username, ["DEMO_PASSWORD"] = _password };
            var before = await ClientScriptRun.RunAsync("feature-service.mjs", gateway, env, TimeSpan.FromSeconds(90));
            before.ShouldBeOk();

            await demo.DisposeAsync();
            demo = await StartDemoAsync(port);
            var mark = tap.Received.Count;
            var after = await ClientScriptRun.RunAsync("feature-service.mjs", gateway, env, TimeSpan.FromSeconds(90));

            after.ShouldBeOk();
            after.Expect("signIn.features", 12);
            ShouldHaveBeenRefusedOnceAndSignedInAgain(tap, mark);
            gateway.Output.Should().NotContain("fail:");
        }
        finally
        {
            await demo.DisposeAsync();
        }
    }

    // After the restart: the first query carried the old token and asked for a compressed answer (the demo's 498), the
    // gateway signed in again once, and every later query carried the new token, one the restarted demo issued.
    private static void ShouldHaveBeenRefusedOnceAndSignedInAgain(UpstreamTap tap, int mark)
    {
        var since = tap.Since(mark);
        since.Count(r => r.Target.StartsWith("/arcgis/tokens/generateToken", StringComparison.Ordinal)).Should().Be(1, "one sign-in after the refusal");
        var queries = since.Where(r => r.Target.StartsWith("/arcgis/rest/services/", StringComparison.Ordinal)).ToArray();
        queries.Should().HaveCountGreaterThanOrEqualTo(2, "the refused query and its retry");
        queries[0].Headers.Should().ContainKey("Accept-Encoding").WhoseValue.Should().Contain("gzip", "the refusal came compressed");
        var issued = tap.Answered
            .Where(a => a.Target.StartsWith("/arcgis/tokens/generateToken", StringComparison.Ordinal))
            .Select(a =>
            {
                using var json = JsonDocument.Parse(a.Body);
                return json.RootElement.GetProperty("token").GetString()!;
            })
            .ToArray();
        issued.Should().HaveCount(2);
        // Booleans only: a failure message never shows a token.
        (queries[0].Headers["X-Esri-Authorization"] == "Bearer " + issued[0]).Should().BeTrue("the first query after the restart carried the old token");
        queries.Skip(1).All(q => q.Headers["X-Esri-Authorization"] == "Bearer " + issued[1]).Should().BeTrue("the later ones the new token");
    }

    // Production: no fixed token, and a new key ring in the new home folder SampleProcess gives each start.
    private Task<SampleProcess> StartDemoAsync(int? port) => SampleProcess.StartDemoAsync(new Dictionary<string, string?>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Sample__DemoUser__Username"] = _account,
        ["Sample__DemoUser__Password"] = _accountPassword,
    }, port);

    private Task<SampleProcess> StartGatewayAsync(UpstreamTap tap) => GatewayClients.StartGatewayAsync(_username, _password, new Dictionary<string, string?>
    {
        ["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = tap.Address.ToString(),
        ["Gateway__Upstreams__upstream__GenerateTokenUrl"] = new Uri(tap.Address, "arcgis/tokens/generateToken").ToString(),
        ["Gateway__Upstreams__upstream__Username"] = _account,
        ["Gateway__Upstreams__upstream__Password"] = _accountPassword,
    });
}
