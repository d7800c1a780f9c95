using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Status499.Tests.RealClients;

// What the real-client tests through the gateway sample share, whatever service is behind it (GatewayRealClientTests:
// the demo; GatewayKoopTests: Koop): starting the gateway with a user of its own, signing in at its generateToken,
// the wire tap in front of the service, the check that nothing on that wire carries a token, and GDAL's ogrinfo.
internal static class GatewayClients
{
    /// <summary>The gateway sample as a process in Production with one user, plus <paramref name="settings"/> (its ReverseProxy and Gateway keys).</summary>
    public static Task<SampleProcess> StartGatewayAsync(string username, string password, IReadOnlyDictionary<string, string?> settings)
    {
        var env = new Dictionary<string, string?>(settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Gateway__Users__0__Username"] = username,
            ["Gateway__Users__0__Password"] = password,
        };
        return SampleProcess.StartAsync(RealClientHarness.FindBuiltDll(RealClientHarness.GatewayProjectDir), RealClientHarness.GatewayProjectDir, env);
    }

    /// <summary>Signs in at a gateway's generateToken as a client would (form POST) and returns the token.</summary>
    public static async Task<string> GenerateTokenAsync(string generateTokenUrl, string username, string password)
    {
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password, ["f"] = "json" });
        using var response = await http.PostAsync(new Uri(generateTokenUrl), form);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("token", out var token) ? token.GetString()! : throw new InvalidOperationException("generateToken at the gateway: " + body);
    }

    /// <summary>At least <paramref name="atLeast"/> requests reached the service, and none carried a token where the gateway reads one.</summary>
    public static void ShouldCarryNoToken((string Target, Dictionary<string, string> Headers)[] reached, int atLeast)
    {
        reached.Should().HaveCountGreaterThanOrEqualTo(atLeast, "the clients' queries went through to the service");
        foreach (var (target, headers) in reached)
        {
            // The path only in the failure message: the query string would show the token that leaked.
            var uri = new Uri("http://x" + target);
            System.Web.HttpUtility.ParseQueryString(uri.Query).AllKeys
                .Should().NotContain(k => string.Equals(k, "token", StringComparison.OrdinalIgnoreCase), uri.AbsolutePath);
            headers.ContainsKey("X-Esri-Authorization").Should().BeFalse(uri.AbsolutePath);
            headers.ContainsKey("Authorization").Should().BeFalse(uri.AbsolutePath);
        }
    }

    // feature-service.mjs run through the gateway: 499 without a token and 498 for a bad one (the gateway's), then a
    // sign-in at the generateToken its rest/info names; only the signed-in query and the cached-token one got past the
    // gateway to the service, without the gateway's token.
    public static async Task ShouldSignInAndQueryThroughAsync(
        SampleProcess gateway, UpstreamTap tap, string username, string password, string queryPath, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var mark = tap.Received.Count;
        var environment = new Dictionary<string, string?> { ["DEMO_USERNAME"] = username, ["DEMO_PASSWORD"] = password };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var run = await ClientScriptRun.RunAsync("feature-service.mjs", gateway, environment, TimeSpan.FromSeconds(90));
        var reached = tap.Since(mark);

        run.ShouldBeOk();
        run.Expect("noToken.bodyCode", 499);
        run.Expect("noToken.errorName", "ArcGISAuthError");
        run.Expect("badToken.bodyCode", 498);
        run.Expect("signIn.features", 12);
        run.Expect("secondCallGenerateTokenCalls", 0);
        reached.Select(r => new Uri("http://x" + r.Target).AbsolutePath).Should().Equal(queryPath, queryPath);
        ShouldCarryNoToken(reached, atLeast: 2);
        gateway.Output.Should().NotContain("fail:");
    }
}

// A recording relay on a Kestrel of its own (YARP's direct forwarder, default transforms), put between the gateway and
// the service behind it (the demo, Koop): it forwards everything unchanged and keeps the request target and headers of
// what the gateway sent, which is all the service was given, and the bodies the service answered.
internal sealed class UpstreamTap : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamTap(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<(string Target, Dictionary<string, string> Headers)> Received { get; } = new();

    /// <summary>What the service answered, in the order the answers ended (bodies as sent, uncompressed unless the gateway asked otherwise).</summary>
    public ConcurrentQueue<(string Target, string Body)> Answered { get; } = new();

    public static async Task<UpstreamTap> StartAsync(Uri destination)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var tap = new UpstreamTap(app);
        app.Use(async (context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            tap.Received.Enqueue((target, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            // The answer too, passed on whole once recorded (the services' answers here are small JSON documents).
            var original = context.Response.Body;
            using var copy = new MemoryStream();
            context.Response.Body = copy;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            tap.Answered.Enqueue((target, Encoding.UTF8.GetString(copy.GetBuffer(), 0, (int)copy.Length)));
            copy.Position = 0;
            await copy.CopyToAsync(original, context.RequestAborted);
        });
        app.MapForwarder("/{**catch-all}", destination.ToString());
        await app.StartAsync();
        tap.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return tap;
    }

    /// <summary>What reached the service after <paramref name="mark"/> (a count of <see cref="Received"/> taken before).</summary>
    public (string Target, Dictionary<string, string> Headers)[] Since(int mark) => Received.Skip(mark).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}
