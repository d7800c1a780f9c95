using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Status499.Benchmarks;

// The processes of run-gateway-compare.sh (issue 23 part 5; docs/benchmarks.md), one role per process:
//   upstream <url>                        the ArcGIS-like feature service behind every mode (FeatureQueryUpstream);
//   yarp <url> <upstream>                 YARP alone, no Status499 (YarpLoadApp);
//   gateway <url> <upstream> <key dir>    the gateway sample, token check and 499 accounting (GatewayLoadApp);
//   token-check <url> <key dir>           the endpoint nginx's auth_request asks (TokenCheckApp).
// The .NET proxies answer GET /gc with GC.GetTotalAllocatedBytes(precise: true): a run's bytes per request are the
// delta over the run divided by its requests, as in run-wrk-rotate.sh.
public static class GatewayCompare
{
    // The gateway's one user in these runs; run-gateway-compare.sh signs in with it at generateToken.
    public const string Username = "bench";
    public const string Password = "bench-password";

    public static Task RunAsync(string[] args) => args switch
    {
        ["upstream", var url] => FeatureQueryUpstream.RunAsync(url),
        ["yarp", var url, var upstream] => YarpLoadApp.RunAsync(url, upstream),
        ["gateway", var url, var upstream, var keys] => GatewayLoadApp.RunAsync(url, upstream, keys),
        ["token-check", var url, var keys] => TokenCheckApp.RunAsync(url, keys),
        _ => throw new ArgumentException(
            "Usage: gateway-compare upstream <url> | yarp <url> <upstream> | gateway <url> <upstream> <key dir> | token-check <url> <key dir>"),
    };

    // The gateway sample's appsettings.json as shipped (copied next to this assembly by the project file), with a
    // user and its one destination pointed at the upstream. YARP alone reads the same "ReverseProxy" section, so both
    // proxies forward with the same route, cluster and HTTP client settings. No logging provider in any mode.
    public static WebApplicationBuilder CreateProxyBuilder(string url, string upstream)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(SampleConfiguration());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Users:0:Username"] = Username,
            ["Gateway:Users:0:Password"] = Password,
            ["ReverseProxy:Clusters:upstream:Destinations:one:Address"] = upstream,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        return builder;
    }

    public static IConfigurationRoot SampleConfiguration()
        => new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "gateway-appsettings.json"), optional: false).Build();

    public static void MapGc(WebApplication app)
        => app.MapGet("/gc", static () => GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture));
}
