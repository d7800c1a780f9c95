using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Status499.Gateway;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Gateway;

// One instance of the gateway sample (its own AddStatus499Gateway/MapStatus499Gateway), on Kestrel at 127.0.0.1:0,
// configured as appsettings.json would (keys below), with an outer observer in front, fake logging and collectors for
// the hosting metric and Status499's client-closed counter.
public sealed class GatewayHost : IAsyncDisposable
{
    public const string Username = "gis-user";
    public const string Password = "gateway-password-1";
    public const string GenerateTokenPath = "/arcgis/tokens/generateToken";
    public const string RestInfoPath = "/arcgis/rest/info";

    private bool _stopped;

    private GatewayHost(WebApplication app, OuterObserver observer)
    {
        App = app;
        Observer = observer;
        var meterFactory = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        RequestDuration = new MetricCollector<double>(meterFactory, "Microsoft.AspNetCore.Hosting", "http.server.request.duration");
        ClientClosedRequests = new MetricCollector<long>(meterFactory, "Status499", "status499.client_closed_requests");
    }

    public WebApplication App { get; }

    public OuterObserver Observer { get; }

    public MetricCollector<double> RequestDuration { get; }

    public MetricCollector<long> ClientClosedRequests { get; }

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    // The configuration of a gateway with one upstream: the ReverseProxy routes of appsettings.json, a "slow" route
    // to the same service on a cluster whose activity timeout is short, and one user.
    public static Dictionary<string, string?> Settings(Uri upstream, string? slowTimeout = "00:00:01") => new()
    {
        ["Gateway:Users:0:Username"] = Username,
        ["Gateway:Users:0:Password"] = Password,
        ["ReverseProxy:Routes:services:ClusterId"] = "upstream",
        ["ReverseProxy:Routes:services:Match:Path"] = "/arcgis/rest/services/{**path}",
        ["ReverseProxy:Routes:slow:ClusterId"] = "slow",
        ["ReverseProxy:Routes:slow:Match:Path"] = "/arcgis/rest/services/Slow/{**path}",
        ["ReverseProxy:Clusters:upstream:Destinations:one:Address"] = upstream.ToString(),
        ["ReverseProxy:Clusters:slow:Destinations:one:Address"] = upstream.ToString(),
        ["ReverseProxy:Clusters:slow:HttpRequest:ActivityTimeout"] = slowTimeout,
    };

    // services: registrations that replace the gateway's own, such as a TimeProvider the test moves.
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?> settings, bool inMemoryKeyRing = true, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.AddStatus499Gateway();
        services?.Invoke(builder.Services);
        if (inMemoryKeyRing)
        {
            TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);
        }

        var app = builder.Build();
        var observer = new OuterObserver();
        app.Use(observer.InvokeAsync);
        app.MapStatus499Gateway();

        var host = new GatewayHost(app, observer);
        await app.StartAsync();
        host.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return host;
    }

    // Settings(upstream) on a shared Redis (Gateway:Redis): the instances started with the same settings share the
    // Data Protection key ring and the generateToken lockout, as several instances of one gateway.
    public static Dictionary<string, string?> OnRedis(Uri upstream, RedisServer server)
    {
        var settings = Settings(upstream);
        settings["Gateway:Redis"] = server.Configuration;
        settings["Gateway:RedisKeyPrefix"] = "gateway-" + Guid.NewGuid().ToString("N") + ":"; // one gateway per test
        return settings;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    // As when the instance dies: Kestrel unbinds and, given a token that is already cancelled, aborts every connection
    // at once (KestrelServer.StopAsync drains connections only until that token fires) instead of letting requests
    // in flight finish.
    public async Task KillAsync()
    {
        _stopped = true;
        await App.StopAsync(new CancellationToken(canceled: true));
    }

    public async Task<string> GenerateTokenAsync(HttpClient client)
    {
        var (_, body) = await SignInAsync(client, Password);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("token").GetString()!;
    }

    // generateToken at this gateway, as arcgis-rest-js posts it: the HTTP status and the body.
    public static async Task<(HttpStatusCode Status, string Body)> SignInAsync(HttpClient client, string password)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = Username, ["password"] = password, ["f"] = "json" });
        using var response = await client.PostAsync(GenerateTokenPath.TrimStart('/'), form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        RequestDuration.Dispose();
        ClientClosedRequests.Dispose();
        if (!_stopped)
        {
            await App.StopAsync(TimeSpan.FromSeconds(5));
        }

        await App.DisposeAsync();
    }
}
