using System.Diagnostics;
using System.Text.Json;

namespace Status499.Tests.RealClients;

// The gateway sample in front of the demo with the demo's own token check ON (its default) and tokens that live
// LifetimeSeconds (Sample:MaxTokenLifetime): the gateway signs in to the demo with credentials of its own
// (Gateway:Upstreams:upstream) and has to replace the demo's token every few seconds, while real clients, signed in at
// the gateway with the gateway's tokens, read through it for longer than two of those lifetimes. The wire tap between
// the gateway and the demo records what the demo was sent and what it answered: the tokens its generateToken issued,
// and which token each query carried.
public sealed class GatewayShortLivedUpstreamFixture : IAsyncLifetime
{
    public const int LifetimeSeconds = 3;

    public string Username { get; } = "analyst-" + Guid.NewGuid().ToString("N")[..8];

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    internal SampleProcess Demo { get; private set; } = null!;

    internal UpstreamTap Tap { get; private set; } = null!;

    internal SampleProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var account = "gateway-" + Guid.NewGuid().ToString("N")[..8];
        var accountPassword = "pw-" + Guid.NewGuid().ToString("N")[..12];
        // Production: the demo's fixed Development token is not accepted, so every token it takes is one it issued.
        Demo = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Sample__DemoUser__Username"] = account,
            ["Sample__DemoUser__Password"] = accountPassword,
            ["Sample__MaxTokenLifetime"] = TimeSpan.FromSeconds(LifetimeSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        });
        Tap = await UpstreamTap.StartAsync(new Uri(Demo.Url));
        Gateway = await GatewayClients.StartGatewayAsync(Username, Password, new Dictionary<string, string?>
        {
            ["ReverseProxy__Clusters__upstream__Destinations__one__Address"] = Tap.Address.ToString(),
            ["Gateway__Upstreams__upstream__GenerateTokenUrl"] = new Uri(Tap.Address, "arcgis/tokens/generateToken").ToString(),
            ["Gateway__Upstreams__upstream__Username"] = account,
            ["Gateway__Upstreams__upstream__Password"] = accountPassword,
        });
    }

    /// <summary>Signs in at the gateway's generateToken as its configured user.</summary>
    public Task<string> GatewayTokenAsync() => GatewayClients.GenerateTokenAsync(Gateway.Url + "/arcgis/tokens/generateToken", Username, Password);

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

        if (Demo is not null)
        {
            await Demo.DisposeAsync();
        }
    }
}

[Collection(RealClientsGroup.Name)]
public sealed class GatewayShortLivedUpstreamTests(GatewayShortLivedUpstreamFixture fixture) : IClassFixture<GatewayShortLivedUpstreamFixture>
{
    private const string QueryPath = "/arcgis/rest/services/Demo/FeatureServer/0/query";

    // Past two expiries of the demo's tokens, with a lifetime to spare.
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(3 * GatewayShortLivedUpstreamFixture.LifetimeSeconds);

    [Fact]
    public async Task Ogrinfo_keeps_reading_through_the_gateway_while_the_demo_tokens_behind_it_expire()
    {
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;
        var url = $"ESRIJSON:{fixture.Gateway.Url}{QueryPath}?where=1%3D1&outFields=*&f=json";
        var runs = new List<ProcessRun.Result>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < RunFor || runs.Count < 3)
        {
            // In a header, so that no failure message (the command line) shows it.
            var run = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", url], headers: $"X-Esri-Authorization: Bearer {token}");
            runs.Add(run);
            run.ExitCode.Should().Be(0, $"ogrinfo run {runs.Count} after {watch.Elapsed.TotalSeconds:0.0} s\n{run.Describe()}\n{fixture.Gateway.Output}");
            run.Stdout.Should().Contain("Feature Count: 12", run.Describe());
        }

        var issued = ShouldHaveSentOnlyItsOwnTokens(mark, token, queries: runs.Count);
        foreach (var run in runs)
        {
            issued.Any(t => run.Stdout.Contains(t, StringComparison.Ordinal) || run.Stderr.Contains(t, StringComparison.Ordinal))
                .Should().BeFalse("the demo's token never reaches the client");
        }
    }

    [Fact]
    public async Task Qgis_keeps_loading_the_layer_through_the_gateway_while_the_demo_tokens_behind_it_expire()
    {
        var layerUrl = fixture.Gateway.Url + "/arcgis/rest/services/Demo/FeatureServer/0";
        var token = await fixture.GatewayTokenAsync();
        var mark = fixture.Tap.Received.Count;
        var reads = new List<QgisLayerRead>();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            // One gateway token, pasted once into QGIS's EsriToken auth config, as a desktop user would.
            var read = await QgisTool.ReadLayerAsync(layerUrl, token);
            reads.Add(read);
            read.Valid.Should().BeTrue($"QGIS read {reads.Count} after {watch.Elapsed.TotalSeconds:0.0} s\n{read}\n{fixture.Gateway.Output}");
            read.FeatureCount.Should().Be(12, read.ToString());
            read.Names.Should().HaveCount(12).And.OnlyHaveUniqueItems().And.Contain("Esri Campus");
            read.Errors.Should().BeEmpty();
            if (watch.Elapsed >= RunFor && reads.Count >= 3)
            {
                break;
            }

            // Past a whole lifetime, so the demo token of the last read has expired before the next one.
            await Task.Delay(TimeSpan.FromSeconds(GatewayShortLivedUpstreamFixture.LifetimeSeconds + 0.5));
        }

        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(2 * GatewayShortLivedUpstreamFixture.LifetimeSeconds));
        // Each read is the layer, a returnIdsOnly query and an objectIds query.
        var issued = ShouldHaveSentOnlyItsOwnTokens(mark, token, queries: 3 * reads.Count);
        foreach (var read in reads)
        {
            issued.Any(t => read.Run.Stdout.Contains(t, StringComparison.Ordinal) || read.Run.Stderr.Contains(t, StringComparison.Ordinal))
                .Should().BeFalse("the demo's token never reaches the client");
        }
    }

    [Fact]
    public async Task Arcgis_rest_js_keeps_querying_through_the_gateway_while_the_demo_tokens_behind_it_expire()
    {
        await RealClientHarness.EnsureClientsAsync(mapsSdk: false);
        var mark = fixture.Tap.Received.Count;

        var run = await ClientScriptRun.RunAsync("feature-service.mjs", fixture.Gateway, new Dictionary<string, string?>
        {
            ["DEMO_USERNAME"] = fixture.Username,
            ["DEMO_PASSWORD"] = fixture.Password,
            ["KEEP_QUERYING_SECONDS"] = RunFor.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, TimeSpan.FromSeconds(90));

        run.ShouldBeOk();
        run.Expect("noToken.bodyCode", 499);
        run.Expect("badToken.bodyCode", 498);
        run.Expect("signIn.features", 12);
        run.Expect("keepQuerying.generateTokenCalls", 0);
        run.Expect("keepQuerying.errors", 0);
        var queries = run.At("keepQuerying.queries").GetInt32();
        if (queries < 3)
        {
            run.Fail("fewer than 3 queries while the demo's tokens expired");
        }

        var issued = ShouldHaveSentOnlyItsOwnTokens(mark, gatewayToken: null, queries);
        issued.Any(t => run.Result.Stdout.Contains(t, StringComparison.Ordinal) || run.Result.Stderr.Contains(t, StringComparison.Ordinal))
            .Should().BeFalse("the demo's token never reaches the client");
    }

    // At least `queries` queries reached the demo since `mark`, and every one carried, in X-Esri-Authorization, a token
    // the demo's generateToken had issued to the gateway, and no other (not the gateway's); at least three of them were
    // used, so the gateway replaced its token at least twice. Returns the demo's tokens.
    private string[] ShouldHaveSentOnlyItsOwnTokens(int mark, string? gatewayToken, int queries)
    {
        var issued = fixture.Tap.Answered
            .Where(a => a.Target.StartsWith("/arcgis/tokens/generateToken", StringComparison.Ordinal))
            .Select(a =>
            {
                using var json = JsonDocument.Parse(a.Body);
                return json.RootElement.GetProperty("token").GetString()!;
            })
            .ToArray();
        var reached = fixture.Tap.Since(mark).Where(r => r.Target.StartsWith("/arcgis/rest/services/", StringComparison.Ordinal)).ToArray();
        // No gateway token in the query string or Authorization; X-Esri-Authorization is the gateway's own, checked below.
        GatewayClients.ShouldCarryNoToken(reached.Select(q => (q.Target, Without(q.Headers, "X-Esri-Authorization"))).ToArray(), atLeast: queries);

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (target, headers) in reached)
        {
            headers.TryGetValue("X-Esri-Authorization", out var header).Should().BeTrue($"the gateway signs {target} with the demo's token");
            header.Should().StartWith("Bearer ", target);
            var sent = header![7..];
            // Booleans and counts only: a failure message never shows a token.
            issued.Contains(sent).Should().BeTrue($"{target} carried a token the demo issued");
            (sent == gatewayToken).Should().BeFalse($"{target} carried the gateway's token");
            used.Add(sent);
        }

        used.Count.Should().BeGreaterThanOrEqualTo(3, "the demo's tokens expired at least twice while the clients read");
        issued.Any(t => fixture.Gateway.Output.Contains(t, StringComparison.Ordinal)).Should().BeFalse("the gateway logs no token");
        fixture.Gateway.Output.Should().NotContain("fail:");
        return issued;
    }

    private static Dictionary<string, string> Without(Dictionary<string, string> headers, string name)
        => headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
}
