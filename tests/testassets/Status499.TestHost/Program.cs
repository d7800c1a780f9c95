using Status499;
using Status499.Demo.FeatureService;
using Status499.TestHost;

// Started by the real-client tests as its own process. Settings (environment variables use __ for :):
//   TestHost:DemoToken                  a static token accepted next to minted ones (required)
//   TestHost:DemoUser:Username/Password the user generateToken signs in (required)
//   TestHost:TokenLifetimeSeconds       minted tokens live exactly that long, whatever expiration is asked (optional)
//   TestHost:MapsSdkPath                the built Maps SDK test page (default: tests/clients/maps-sdk/dist found upward)
var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

builder.Services.AddStatus499(o => o.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired))
    .AddStaticTokens(Required(configuration, "TestHost:DemoToken"))
    .AddArcGisSignedTokens(o => o.AddUser(Required(configuration, "TestHost:DemoUser:Username"), Required(configuration, "TestHost:DemoUser:Password")))
    .WithFixedTokenLifetime(configuration);

var app = builder.Build();
app.UseRouting();
app.UseStatus499();

app.MapGet("/", () => "Status499 test host").DisableStatus499();
app.MapArcGisRestInfo("/arcgis/rest/info", "/arcgis/tokens/generateToken");
app.MapArcGisGenerateToken("/arcgis/tokens/generateToken");
app.MapDemoFeatureService();
app.MapMapsSdkTestPage();
app.Run();

static string Required(IConfiguration configuration, string key) => configuration[key] is { Length: > 0 } value
    ? value
    : throw new InvalidOperationException($"{key} must be set (environment variable {key.Replace(":", "__", StringComparison.Ordinal)}).");
