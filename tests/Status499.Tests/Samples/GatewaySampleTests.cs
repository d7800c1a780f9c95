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
}
