using System.Text.Json;

namespace Status499.Tests.RealClients;

// The ArcGIS Maps SDK for JavaScript (@arcgis/core, tests/clients/maps-sdk.mjs) in Debian's Chromium, through the
// gateway sample in front of the demo (its own token check off, as docs/gateway.md "To try it"), with the wire tap
// between the two. The SDK page must be same-origin with the service it reads (no CORS), so the gateway serves it too:
// the test's configuration adds a YARP route for /maps-sdk/ whose metadata makes it token-free
// ("Status499Meaning": "ClientClosedRequest"), to a cluster holding the built page (the test host, which serves
// tests/clients/maps-sdk/dist at /maps-sdk/), as an operator would put a web app next to the services it reads.
// Against Koop, the gateway is configured as GatewayKoopFixture does (its own rest/info and generateToken under
// /file-geojson, a route to Koop's services) plus that page route; the page reads Koop's layer by its ?server=&service=.
[Collection(RealClientsGroup.Name)]
public sealed class GatewayMapsSdkTests
{
    private enum Upstream
    {
        Demo,
        ShortLivedDemo,
        Koop,
    }

    private readonly string _username = "analyst-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _password = "pw-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public Task Arcgis_maps_sdk_in_chromium_signs_in_at_the_gateway_and_loads_the_demo_layer_through_it()
        => LoadsTheLayerThroughTheGatewayAsync(Upstream.Demo);

    // The demo with its own token check on and tokens of GatewayShortLivedUpstreamFixture.LifetimeSeconds: the gateway
    // signs in to it with an account of its own, and the SDK, signed in at the gateway, never learns of it.
    [Fact]
    public Task Arcgis_maps_sdk_in_chromium_loads_the_short_lived_secured_demo_layer_through_the_gateway()
        => LoadsTheLayerThroughTheGatewayAsync(Upstream.ShortLivedDemo);

    // Koop (tests/clients/koop/server.mjs, no auth of its own) serving the demo's 12 points: the 499, the sign-in and the
    // token the SDK sends are all the gateway's, and Koop gets the SDK's requests without it.
    [Fact]
    public Task Arcgis_maps_sdk_in_chromium_signs_in_at_the_gateway_and_loads_the_Koop_layer_through_it()
        => LoadsTheLayerThroughTheGatewayAsync(Upstream.Koop);

    private async Task LoadsTheLayerThroughTheGatewayAsync(Upstream upstream)
    {
        var chromium = RealClientHarness.ChromiumPath();
        await RealClientHarness.EnsureClientsAsync(mapsSdk: true);

        var shortLivedUpstream = upstream == Upstream.ShortLivedDemo;
        var serverPath = upstream == Upstream.Koop ? GatewayKoopFixture.ServerPath : "/arcgis";
        var servicesPath = serverPath + "/rest/services/";
        var account = "gateway-" + Guid.NewGuid().ToString("N")[..8];
        var accountPassword = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await using var koop = upstream == Upstream.Koop ? await KoopProcess.StartAsync() : null;
        await using var demo = upstream == Upstream.Koop ? null : await SampleProcess.StartDemoAsync(shortLivedUpstream
            ? new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Sample__DemoUser__Username"] = account,
                ["Sample__DemoUser__Password"] = accountPassword,
                ["Sample__MaxTokenLifetime"] = TimeSpan.FromSeconds(GatewayShortLivedUpstreamFixture.LifetimeSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            }
            : new Dictionary<string, string?> { ["Status499__Routes__0__Meaning"] = "ClientClosedRequest" });
        await using var tap = await UpstreamTap.StartAsync(new Uri(koop?.Url ?? demo!.Url));
        // Its own feature service and sign-in stay unreachable: the gateway routes only /maps-sdk/ to it.
        await using var page = await SampleProcess.StartTestHostAsync(new Dictionary<string, string?>
        {
            ["TestHost__DemoToken"] = "unused-" + Guid.NewGuid().ToString("N"),
            ["TestHost__DemoUser__Username"] = "unused",
            ["TestHost__DemoUser__Password"] = "unused-" + Guid.NewGuid().ToString("N"),
            ["TestHost__MapsSdkPath"] = RealClientHarness.MapsSdkDist,
        });
        var gatewaySettings = new Dictionary<string, string?>
        {
            ["ReverseProxy__Routes__mapssdk__ClusterId"] = "page",
            ["ReverseProxy__Routes__mapssdk__Match__Path"] = "/maps-sdk/{**path}",
            ["ReverseProxy__Routes__mapssdk__Metadata__Status499Meaning"] = "ClientClosedRequest",
            ["ReverseProxy__Clusters__page__Destinations__one__Address"] = page.Url + "/",
        };
        if (upstream == Upstream.Koop)
        {
            // As GatewayKoopFixture: the gateway's rest/info where the SDK looks for Koop's, and a route to Koop's services.
            gatewaySettings["Gateway__RestInfoPath"] = serverPath + "/rest/info";
            gatewaySettings["Gateway__GenerateTokenPath"] = serverPath + "/tokens/generateToken";
            gatewaySettings["ReverseProxy__Routes__koop__ClusterId"] = "koop";
            gatewaySettings["ReverseProxy__Routes__koop__Match__Path"] = servicesPath + "{**path}";
            gatewaySettings["ReverseProxy__Clusters__koop__Destinations__one__Address"] = tap.Address.ToString();
        }
        else
        {
            gatewaySettings["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = tap.Address.ToString();
        }

        if (shortLivedUpstream)
        {
            gatewaySettings["Gateway__Upstreams__upstream__GenerateTokenUrl"] = new Uri(tap.Address, "arcgis/tokens/generateToken").ToString();
            gatewaySettings["Gateway__Upstreams__upstream__Username"] = account;
            gatewaySettings["Gateway__Upstreams__upstream__Password"] = accountPassword;
        }

        await using var gateway = await GatewayClients.StartGatewayAsync(_username, _password, gatewaySettings);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "RealClients", upstream == Upstream.Koop ? "gateway-maps-sdk-koop.png" : "gateway-maps-sdk.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var scriptEnv = new Dictionary<string, string?>
        {
            ["DEMO_USERNAME"] = _username,
            ["DEMO_PASSWORD"] = _password,
            ["SCREENSHOT_PATH"] = screenshot,
            ["CHROMIUM_PATH"] = chromium,
        };
        if (upstream == Upstream.Koop)
        {
            scriptEnv["SERVER_PATH"] = serverPath;
            scriptEnv["SERVICE_NAME"] = GatewayKoopFixture.ServiceName;
        }

        var run = await ClientScriptRun.RunAsync("maps-sdk.mjs", gateway, scriptEnv, TimeSpan.FromMinutes(4));
        var reached = tap.Since(0);

        run.ShouldBeOk();
        // The gateway's 499 Token Required, not the upstream's (the demo's own check is off or the gateway signs in to it; Koop has none).
        run.Expect("anonymous.loaded", false);
        run.Expect("anonymous.message", "Token Required");
        run.Expect("anonymous.httpStatus", 499);
        run.Expect("signIn.tokenServiceUrl", gateway.Url + serverPath + "/tokens/generateToken");
        run.Expect("signedIn.objectIdField", "OBJECTID");
        run.Expect("signedIn.features", 12);
        run.Expect("mapView.featuresInLayerView", 12);
        if (run.At("offOrigin").GetArrayLength() != 0)
        {
            run.Fail("the page requested something outside the gateway's origin");
        }

        // Only the SDK's requests that carried the gateway's token got through to the upstream, without it; its anonymous
        // ones (the first load, and the probe after sign-in the SDK answers by attaching the token) were the gateway's 499s.
        // (The wire also lists rest/info and generateToken under serverPath, answered by the gateway: only services count.)
        var withToken = run.At("wire").EnumerateArray()
            .Where(w => w.GetProperty("path").GetString()!.StartsWith(servicesPath, StringComparison.Ordinal) && w.GetProperty("tokenVia").ValueKind == JsonValueKind.String)
            .ToArray();
        var services = reached.Where(r => new Uri("http://x" + r.Target).AbsolutePath.StartsWith(servicesPath, StringComparison.Ordinal)).ToArray();
        if (shortLivedUpstream)
        {
            // The gateway's own sign-ins reached the demo too; every service request carried, in X-Esri-Authorization,
            // a token the demo issued (so not the SDK's, a gateway token), and nothing else. Booleans only: no token shown.
            reached.Except(services).Select(r => new Uri("http://x" + r.Target).AbsolutePath).Should().OnlyContain(p => p == "/arcgis/tokens/generateToken");
            var issued = tap.Answered
                .Where(a => a.Target.StartsWith("/arcgis/tokens/generateToken", StringComparison.Ordinal))
                .Select(a =>
                {
                    using var json = JsonDocument.Parse(a.Body);
                    return json.RootElement.GetProperty("token").GetString()!;
                })
                .ToHashSet(StringComparer.Ordinal);
            foreach (var (target, headers) in services)
            {
                var path = new Uri("http://x" + target).AbsolutePath;
                headers.TryGetValue("X-Esri-Authorization", out var header).Should().BeTrue($"the gateway signs {path} with the demo's token");
                (header!.StartsWith("Bearer ", StringComparison.Ordinal) && issued.Contains(header[7..])).Should().BeTrue($"{path} carried a token the demo issued");
            }

            GatewayClients.ShouldCarryNoToken(services.Select(r => (r.Target, r.Headers.Where(h => !string.Equals(h.Key, "X-Esri-Authorization", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase))).ToArray(), atLeast: 3);
            issued.Any(t => run.Result.Stdout.Contains(t, StringComparison.Ordinal) || run.Result.Stderr.Contains(t, StringComparison.Ordinal))
                .Should().BeFalse("the demo's token never reaches the client");
        }
        else
        {
            services.Should().HaveCount(reached.Length);
            GatewayClients.ShouldCarryNoToken(services, atLeast: 3);
        }

        services.Should().HaveCount(withToken.Length, "each request that carried the gateway's token, and only those, reached the upstream");
        if (upstream == Upstream.Koop)
        {
            services.Should().OnlyContain(r => new Uri("http://x" + r.Target).AbsolutePath.StartsWith(GatewayKoopFixture.LayerPath, StringComparison.Ordinal));
        }

        gateway.Output.Should().NotContain("fail:");
        File.Exists(screenshot).Should().BeTrue();
    }
}
