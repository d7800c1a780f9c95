using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Status499.Tests.RealClients;

// The gateway sample in front of an unmodified Koop (tests/clients/koop/server.mjs: @koopjs/koop-core 10.4.19,
// @koopjs/output-geoservices 8.1.25, @koopjs/provider-file-geojson 2.2.0 from npm) serving
// tests/clients/koop/data/redlands-places.geojson, the demo's 12 points, as an ArcGIS FeatureServer. Koop has no auth
// plugin, so it answers anyone and ignores a `token` parameter: everything a token protects here is the gateway's doing.
// The gateway is configured as an operator would put it in front of Koop, by environment variables: a YARP route for
// Koop's /file-geojson/rest/services paths, and its own rest/info where clients look for Koop's (the root of a service
// URL + /rest/info), so they sign in at the gateway rather than at Koop's generateToken. A wire tap (UpstreamTap)
// between the gateway and Koop records what Koop was sent.
public sealed class GatewayKoopFixture : IAsyncLifetime
{
    public const string ServerPath = "/file-geojson";

    public const string ServiceName = "redlands-places";

    public const string LayerPath = ServerPath + "/rest/services/" + ServiceName + "/FeatureServer/0";

    public string Username { get; } = "analyst-" + Guid.NewGuid().ToString("N")[..8];

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    internal KoopProcess Koop { get; private set; } = null!;

    internal UpstreamTap Tap { get; private set; } = null!;

    internal SampleProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await RealClientHarness.EnsureClientsAsync(mapsSdk: false);
        Koop = await KoopProcess.StartAsync();
        Tap = await UpstreamTap.StartAsync(new Uri(Koop.Url));
        Gateway = await GatewayClients.StartGatewayAsync(Username, Password, new Dictionary<string, string?>
        {
            ["Gateway__RestInfoPath"] = ServerPath + "/rest/info",
            ["Gateway__GenerateTokenPath"] = ServerPath + "/tokens/generateToken",
            ["ReverseProxy__Routes__koop__ClusterId"] = "koop",
            ["ReverseProxy__Routes__koop__Match__Path"] = ServerPath + "/rest/services/{**path}",
            ["ReverseProxy__Clusters__koop__Destinations__one__Address"] = Tap.Address.ToString(),
        });
    }

    public Task<string> GatewayTokenAsync() => GatewayClients.GenerateTokenAsync(Gateway.Url + ServerPath + "/tokens/generateToken", Username, Password);

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        if (Tap is not null)
        {
            await Tap.DisposeAsync();
        }

        if (Koop is not null)
        {
            await Koop.DisposeAsync();
        }
    }
}

[Collection(RealClientsGroup.Name)]
public sealed class GatewayKoopTests(GatewayKoopFixture fixture) : IClassFixture<GatewayKoopFixture>
{
    private const string QueryPath = GatewayKoopFixture.LayerPath + "/query";

    private string GatewayQueryUrl(string query) => $"{fixture.Gateway.Url}{QueryPath}?{query}";

    [Fact]
    public async Task Without_a_token_the_gateway_answers_499_Token_Required_and_Koop_is_never_reached()
    {
        using var http = new HttpClient();
        // Koop itself answers without a token: the 499 below can only be the gateway's.
        var direct = await http.GetStringAsync(new Uri($"{fixture.Koop.Url}{QueryPath}?where=1%3D1&outFields=*&f=json"));
        var mark = fixture.Tap.Received.Count;

        var answers = new List<string>
        {
            await http.GetStringAsync(new Uri(GatewayQueryUrl("where=1%3D1&outFields=*&f=json"))),
            await http.GetStringAsync(new Uri($"{fixture.Gateway.Url}{GatewayKoopFixture.LayerPath}?f=json")),
            await http.GetStringAsync(new Uri($"{fixture.Gateway.Url}{GatewayKoopFixture.ServerPath}/rest/services/{GatewayKoopFixture.ServiceName}/FeatureServer?f=json")),
        };
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["where"] = "1=1", ["outFields"] = "*", ["f"] = "json" }))
        using (var posted = await http.PostAsync(new Uri(fixture.Gateway.Url + QueryPath), form))
        {
            answers.Add(await posted.Content.ReadAsStringAsync());
        }

        var ogrinfo = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + GatewayQueryUrl("where=1%3D1&outFields=*&f=json")]);
        var reached = fixture.Tap.Since(mark);

        FeaturesIn(direct).Should().HaveCount(12, direct);
        foreach (var answer in answers)
        {
            using var error = JsonDocument.Parse(answer);
            error.RootElement.TryGetProperty("error", out var e).Should().BeTrue(answer);
            e.GetProperty("code").GetInt32().Should().Be(499, answer);
            e.GetProperty("message").GetString().Should().Be("Token Required", answer);
        }

        ogrinfo.ExitCode.Should().NotBe(0, ogrinfo.Describe());
        ogrinfo.Stdout.Should().NotContain("Feature Count");
        reached.Should().BeEmpty("the gateway answers a request without a token itself");
        fixture.Gateway.Output.Should().NotContain("fail:");
    }

    [Fact]
    public async Task Ogrinfo_lists_the_Koop_features_through_the_gateway_with_its_token()
    {
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;
        var inUrl = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + GatewayQueryUrl($"where=1%3D1&outFields=*&f=json&token={Uri.EscapeDataString(token)}")]);
        // A where clause only Koop evaluates (winnow's SQL over the GeoJSON), the token in GDAL_HTTP_HEADERS.
        var viaHeader = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-q", "ESRIJSON:" + GatewayQueryUrl("where=CATEGORY%3D%27Park%27&outFields=OBJECTID,NAME&orderByFields=OBJECTID&f=json")],
            headers: $"X-Esri-Authorization: Bearer {token}");
        var reached = fixture.Tap.Since(mark);

        inUrl.ExitCode.Should().Be(0, inUrl.Describe());
        inUrl.Stdout.Should().Contain("Geometry: Point").And.Contain("Feature Count: 12")
            .And.Contain("NAME: String").And.Contain("CATEGORY: String").And.Contain("OPENED: Integer");
        viaHeader.ExitCode.Should().Be(0, viaHeader.Describe());
        viaHeader.Stdout.Split('\n').Where(l => l.Contains("NAME (String) = ", StringComparison.Ordinal)).Select(l => l.Split(" = ")[1].Trim())
            .Should().Equal("Prospect Park", "Sylvan Park", "Ford Park", "Caroline Park", "Israel Beal Park");
        reached.Should().OnlyContain(r => new Uri("http://x" + r.Target).AbsolutePath == QueryPath);
        GatewayClients.ShouldCarryNoToken(reached, atLeast: 2);
        fixture.Gateway.Output.Should().NotContain("fail:");
    }

    [Fact]
    public async Task Arcgis_rest_js_signs_in_at_the_gateway_and_queries_Koop_through_it()
    {

        // feature-service.mjs pointed at Koop's layer through the gateway: 499 without a token and 498 for a bad one
        // (the gateway's: Koop has neither), then ArcGISIdentityManager reads <gateway>/file-geojson/rest/info (the
        // gateway's, which the script checks by the generateToken it names) and signs in there.
        await GatewayClients.ShouldSignInAndQueryThroughAsync(fixture.Gateway, fixture.Tap, fixture.Username, fixture.Password, QueryPath, new Dictionary<string, string?>
        {
            ["SERVER_PATH"] = GatewayKoopFixture.ServerPath,
            ["SERVICE_NAME"] = GatewayKoopFixture.ServiceName,
        });
    }

    [Fact]
    public async Task Qgis_loads_the_Koop_layer_through_the_gateway_with_its_token_and_finds_it_invalid_without()
    {
        var layerUrl = fixture.Gateway.Url + GatewayKoopFixture.LayerPath;
        // What Koop serves to anyone, asked directly: the names QGIS must read through the gateway.
        using var http = new HttpClient();
        var served = FeaturesIn(await http.GetStringAsync(new Uri($"{fixture.Koop.Url}{QueryPath}?where=1%3D1&outFields=NAME&f=json")))
            .Select(f => f.GetProperty("attributes").GetProperty("NAME").GetString()!)
            .ToArray();
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;

        // The gateway's token in QGIS's EsriToken auth config: X-Esri-Authorization on each of the layer's requests.
        var read = await QgisTool.ReadLayerAsync(layerUrl, token);
        var reached = fixture.Tap.Since(mark);
        var without = await QgisTool.ReadLayerAsync(layerUrl, token: null);
        var reachedWithout = fixture.Tap.Since(mark + reached.Length);

        served.Should().HaveCount(12).And.OnlyHaveUniqueItems();
        read.Valid.Should().BeTrue(read.ToString());
        read.FeatureCount.Should().Be(served.Length, read.ToString());
        read.Names.Should().BeEquivalentTo(served);
        read.Errors.Should().BeEmpty();
        // The layer, a returnIdsOnly query and an objectIds query, all to Koop's layer, none carrying the token.
        reached.Should().OnlyContain(r => new Uri("http://x" + r.Target).AbsolutePath.StartsWith(GatewayKoopFixture.LayerPath, StringComparison.Ordinal));
        GatewayClients.ShouldCarryNoToken(reached, atLeast: 3);

        without.Valid.Should().BeFalse(without.ToString());
        without.Errors.Should().Equal(["Error 499: Token Required"], without.ToString());
        reachedWithout.Should().BeEmpty("the gateway answers a request without a token itself");
        fixture.Gateway.Output.Should().NotContain("fail:");
    }

    [Fact]
    public async Task Koop_never_sees_the_gateway_token_in_the_query_string_or_either_header()
    {
        var token = await fixture.GatewayTokenAsync();
        using var http = new HttpClient();
        var mark = fixture.Tap.Received.Count;
        var answers = new List<string>();
        foreach (var (query, header) in new (string, string?)[]
        {
            ($"where=1%3D1&outFields=*&f=json&token={Uri.EscapeDataString(token)}", null),
            ("where=1%3D1&outFields=*&f=json", "X-Esri-Authorization"),
            ("where=1%3D1&outFields=*&f=json", "Authorization"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(GatewayQueryUrl(query)));
            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation(header, new AuthenticationHeaderValue("Bearer", token).ToString());
            }

            using var response = await http.SendAsync(request);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        var reached = fixture.Tap.Since(mark);

        answers.Should().AllSatisfy(a => FeaturesIn(a).Should().HaveCount(12, a));
        reached.Should().HaveCount(3);
        GatewayClients.ShouldCarryNoToken(reached, atLeast: 3);
    }

    private static JsonElement[] FeaturesIn(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("features", out var features) ? [.. features.EnumerateArray().Select(f => f.Clone())] : [];
    }
}

// tests/clients/koop/server.mjs as a process on a free port (Koop picks it and prints KOOP_URL=…), killed by process id.
internal sealed class KoopProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputBuffer _output;

    private KoopProcess(Process process, OutputBuffer output)
    {
        _process = process;
        _output = output;
    }

    public string Url { get; private set; } = "";

    public string Output => _output.ToString();

    public static async Task<KoopProcess> StartAsync()
    {
        var output = new OutputBuffer();
        var process = ProcessRun.Start("node", [Path.Combine("koop", "server.mjs"), "0"], RealClientHarness.ClientsDir,
            new Dictionary<string, string?> { ["KOOP_PORT"] = null, ["NODE_ENV"] = null }, output);
        var koop = new KoopProcess(process, output);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
        {
            var line = output.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("KOOP_URL=", StringComparison.Ordinal));
            if (line is not null)
            {
                koop.Url = line["KOOP_URL=".Length..].Trim();
                return koop;
            }

            await Task.Delay(100);
        }

        await koop.DisposeAsync();
        throw new InvalidOperationException($"Koop (node koop/server.mjs in {RealClientHarness.ClientsDir}) did not start:\n{koop.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            _output.Append($"[harness] stopping Koop (pid {_process.Id}): {e.Message}");
        }
        finally
        {
            _process.Dispose();
        }
    }
}
