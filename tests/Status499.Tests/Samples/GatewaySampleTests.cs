using System.Net;
using System.Text.Json;
using Status499.Tests.Gateway;
using Status499.Tests.RealClients;

namespace Status499.Tests.Samples;

// The gateway sample (samples/Status499.Gateway) as `dotnet run` starts it: its own process, its own appsettings.json,
// in front of a real ArcGIS-like service; only the service's address and a user come from the environment.
[Collection(RealClientsGroup.Name)]
public sealed class GatewaySampleTests
{
    [Fact]
    public async Task The_gateway_sample_secures_a_service_from_its_appsettings()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var dll = RealClientHarness.FindBuiltDll(RealClientHarness.GatewayProjectDir);
        await using var app = await SampleProcess.StartAsync(dll, RealClientHarness.GatewayProjectDir, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Gateway__Users__0__Username"] = "analyst",
            ["Gateway__Users__0__Password"] = "analyst-password-3",
            ["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = upstream.Address.ToString(),
        });
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };

        using (var info = JsonDocument.Parse(await http.GetStringAsync("/arcgis/rest/info?f=json")))
        {
            info.RootElement.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be(app.Url + "/arcgis/tokens/generateToken");
        }

        (await http.GetStringAsync(ArcGisUpstream.QueryPath + "?f=json")).Should().Contain("\"code\":499");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "analyst", ["password"] = "analyst-password-3", ["f"] = "json" });
        using var signIn = await http.PostAsync("/arcgis/tokens/generateToken", form);
        using var token = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync());
        using var query = await http.GetAsync(ArcGisUpstream.QueryPath + "?f=json&token=" + token.RootElement.GetProperty("token").GetString());
        query.StatusCode.Should().Be(HttpStatusCode.OK);
        (await query.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        app.Output.Should().NotContain("fail:");
    }

    // The README's two commands, in Development: the demo (its feature service requires its own token) and the gateway
    // in front of it, which signs in to the demo with the demo's account from appsettings.Development.json. A client
    // signed in at the gateway reads the demo's features; without that login the demo would answer the gateway's
    // forwarded request with its own 499, and the client would be told it needs a token it has.
    [Fact]
    public async Task In_Development_the_gateway_signs_in_to_the_demo_behind_it_so_the_README_walkthrough_reads_features()
    {
        await using var demo = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>());
        var dll = RealClientHarness.FindBuiltDll(RealClientHarness.GatewayProjectDir);
        await using var gateway = await SampleProcess.StartAsync(dll, RealClientHarness.GatewayProjectDir, new Dictionary<string, string?>
        {
            // Only the demo's port differs from the README's http://localhost:5000.
            ["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = demo.Url + "/",
            ["Gateway__Upstreams__upstream__GenerateTokenUrl"] = demo.Url + "/arcgis/tokens/generateToken",
        });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };
        const string Query = "/arcgis/rest/services/Demo/FeatureServer/0/query?where=1%3D1&outFields=*&f=json";

        (await http.GetStringAsync(Query)).Should().Contain("\"code\":499");
        var token = await GatewayClients.GenerateTokenAsync(gateway.Url + "/arcgis/tokens/generateToken", "demo", "demo-password");
        using var request = new HttpRequestMessage(HttpMethod.Get, Query);
        request.Headers.TryAddWithoutValidation("X-Esri-Authorization", "Bearer " + token);
        using var query = await http.SendAsync(request);
        var body = await query.Content.ReadAsStringAsync();

        query.StatusCode.Should().Be(HttpStatusCode.OK);
        using var features = JsonDocument.Parse(body);
        features.RootElement.TryGetProperty("features", out var list).Should().BeTrue("the demo answered features, not an error");
        list.GetArrayLength().Should().Be(12);
        gateway.Output.Should().Contain("Signed in to the service of cluster upstream").And.NotContain("fail:");
    }
}
