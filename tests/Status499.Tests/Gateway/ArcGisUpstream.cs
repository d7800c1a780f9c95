using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Gateway;

// An unmodified, unsecured ArcGIS-like feature service on a Kestrel of its own: what the gateway puts a token in front
// of. Its query answers fixed features; its "Slow" service answers only when its client (the gateway) gives up, and
// says so. It records what reached it, so a test can check that no gateway token was forwarded.
public sealed class ArcGisUpstream : IAsyncDisposable
{
    public const string FeaturesJson = """{"objectIdFieldName":"OBJECTID","features":[{"attributes":{"OBJECTID":1,"NAME":"Smiley Park"}}]}""";
    public const string QueryPath = "/arcgis/rest/services/Demo/FeatureServer/0/query";
    public const string SlowQueryPath = "/arcgis/rest/services/Slow/FeatureServer/0/query";

    private readonly WebApplication _app;

    private ArcGisUpstream(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    // The request target and the headers of every request that reached the service.
    public ConcurrentQueue<(string Target, IHeaderDictionary Headers)> Received { get; } = new();

    public Signal SlowStarted { get; } = new();

    public Signal SlowCancelled { get; } = new();

    public static async Task<ArcGisUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new ArcGisUpstream(app);
        app.Use((context, next) =>
        {
            upstream.Received.Enqueue((context.Features.Get<IHttpRequestFeature>()!.RawTarget, new HeaderDictionary(context.Request.Headers.ToDictionary())));
            return next(context);
        });
        app.MapGet(QueryPath, () => Results.Text(FeaturesJson, "application/json"));
        app.MapGet(SlowQueryPath, async (CancellationToken cancellationToken) =>
        {
            upstream.SlowStarted.Set();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                upstream.SlowCancelled.Set();
                throw;
            }
        });
        await app.StartAsync();
        upstream.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}
