namespace Status499.Tests.RealClients;

// Unmodified Esri clients (tests/clients, see its README) against the test host (tests/testassets/Status499.TestHost:
// the sample's feature service, the library's rest/info and generateToken, the Maps SDK test page) started as its own
// process on a free port: @esri/arcgis-rest-request, @esri/arcgis-rest-feature-service and the ArcGIS Maps SDK in
// Chromium. Each test starts its own host; the scripts judge the wire behaviour and print one JSON line checked here too.
[Collection(RealClientsGroup.Name)]
public sealed class ArcGisClientTests
{
    private const string DemoUsername = "demo";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    // Per run, so nothing passes by accident on a default.
    private readonly string _demoToken = "test-token-" + Guid.NewGuid().ToString("N");
    private readonly string _demoPassword = "pw-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Arcgis_rest_request_sees_499_as_ArcGISAuthError_and_498_for_a_bad_token_and_succeeds_with_a_valid_token()
    {
        var run = await RunAsync("rest-request.mjs", tokenLifetimeSeconds: null, new() { ["DEMO_TOKEN"] = _demoToken }, ScriptTimeout);

        run.ShouldBeOk();
        run.Expect("noToken.errorName", "ArcGISAuthError");
        run.Expect("noToken.bodyCode", 499);
        run.Expect("noToken.errorCode", "GWM_0003");
        run.Expect("noToken.httpStatus", 200);
        run.Expect("badToken.errorName", "ArcGISAuthError");
        run.Expect("badToken.bodyCode", 498);
        run.Expect("validTokenPost.features", 12);
        run.Expect("validTokenPost.tokenVia", "form");
        run.Expect("validTokenHeader.features", 12);
        run.Expect("validTokenHeader.tokenVia", "X-Esri-Authorization");
    }

    [Fact]
    public async Task Arcgis_rest_feature_service_signs_in_through_rest_info_and_generateToken()
    {
        var run = await RunAsync("feature-service.mjs", tokenLifetimeSeconds: null, SignInEnv(), ScriptTimeout);

        run.ShouldBeOk();
        run.Expect("noToken.bodyCode", 499);
        run.Expect("badToken.bodyCode", 498);
        run.Expect("badToken.tokenVia", "query");
        run.Expect("signIn.features", 12);
        run.Expect("secondCallGenerateTokenCalls", 0);
        if (run.At("signIn.tokenExpiresInSeconds").GetInt32() <= 0)
        {
            run.Fail("the generated token must expire in the future");
        }
    }

    [Fact]
    public async Task Arcgis_rest_feature_service_refreshes_an_expired_token()
    {
        var env = SignInEnv();
        env["SHORT_LIVED"] = "1";
        var run = await RunAsync("feature-service.mjs", tokenLifetimeSeconds: 3, env, ScriptTimeout);

        run.ShouldBeOk();
        run.Expect("signIn.features", 12);
        run.Expect("reactiveRefresh.first498", true);
        run.Expect("reactiveRefresh.generateTokenCalls", 1);
        run.Expect("reactiveRefresh.tokenChanged", true);
        run.Expect("reactiveRefresh.features", 12);
        run.Expect("proactiveRefresh.generateTokenCalls", 1);
        run.Expect("proactiveRefresh.features", 12);
    }

    [Fact]
    public async Task Arcgis_maps_sdk_in_chromium_loads_the_layer_after_sign_in()
    {
        var chromium = RealClientHarness.ChromiumPath();
        var screenshot = Path.Combine(AppContext.BaseDirectory, "RealClients", "maps-sdk.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var env = SignInEnv();
        env["SCREENSHOT_PATH"] = screenshot;
        env["CHROMIUM_PATH"] = chromium;

        var run = await RunAsync("maps-sdk.mjs", tokenLifetimeSeconds: null, env, TimeSpan.FromMinutes(4), mapsSdk: true);

        run.ShouldBeOk();
        run.Expect("anonymous.loaded", false);
        run.Expect("anonymous.message", "Token Required");
        run.Expect("anonymous.httpStatus", 499);
        run.Expect("signedIn.objectIdField", "OBJECTID");
        run.Expect("signedIn.features", 12);
        run.Expect("mapView.featuresInLayerView", 12);
        if (run.At("offOrigin").GetArrayLength() != 0)
        {
            run.Fail("the page requested something outside the test host's origin");
        }

        if (!File.Exists(screenshot) || new FileInfo(screenshot).Length == 0)
        {
            run.Fail($"no screenshot at {screenshot}");
        }
    }

    private Dictionary<string, string?> SignInEnv() => new()
    {
        ["DEMO_USERNAME"] = DemoUsername,
        ["DEMO_PASSWORD"] = _demoPassword,
    };

    private async Task<ClientScriptRun> RunAsync(string script, int? tokenLifetimeSeconds, Dictionary<string, string?> scriptEnv, TimeSpan timeout, bool mapsSdk = false)
    {
        await RealClientHarness.EnsureClientsAsync(mapsSdk);

        var settings = new Dictionary<string, string?>
        {
            ["TestHost__DemoToken"] = _demoToken,
            ["TestHost__DemoUser__Username"] = DemoUsername,
            ["TestHost__DemoUser__Password"] = _demoPassword,
            ["TestHost__MapsSdkPath"] = RealClientHarness.MapsSdkDist,
        };
        if (tokenLifetimeSeconds is int seconds)
        {
            settings["TestHost__TokenLifetimeSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var sample = await SampleProcess.StartTestHostAsync(settings);
        return await ClientScriptRun.RunAsync(script, sample, scriptEnv, timeout);
    }
}
