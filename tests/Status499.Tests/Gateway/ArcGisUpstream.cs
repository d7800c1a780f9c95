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
    public const string LargeQueryPath = "/arcgis/rest/services/Large/FeatureServer/0/query";
    public const string GenerateTokenPath = "/arcgis/tokens/generateToken";
    public const string ServiceUsername = "gateway-account";
    public const string ServicePassword = "service-password-9";
    private const string InvalidTokenBody = """{"error":{"code":498,"message":"Invalid token.","details":[]}}""";

    // 2,000 features with random names: about 150 KB, still tens of KB compressed.
    public static readonly string LargeFeaturesJson = """{"objectIdFieldName":"OBJECTID","features":[""" + string.Join(',', Enumerable.Range(1, 2000)
        .Select(i => "{\"attributes\":{\"OBJECTID\":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"NAME\":\"" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N") + "\"}}")) + "]}";

    private readonly ConcurrentDictionary<string, bool> _validTokens = new();
    private int _tokensIssued;

    private readonly WebApplication _app;

    private ArcGisUpstream(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    // The request target and the headers of every request that reached the service.
    public ConcurrentQueue<(string Target, IHeaderDictionary Headers)> Received { get; } = new();

    public Signal SlowStarted { get; } = new();

    public Signal SlowCancelled { get; } = new();

    // Secured: its services need one of the tokens its own generateToken issued, in X-Esri-Authorization.
    public bool Secured { get; private init; }

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public IReadOnlyCollection<string> IssuedTokens => _validTokens.Keys.ToList();

    // Answers every service request with HTTP 498 (ArcGIS's StatusCode mode), whatever the token.
    public bool RefuseEveryToken { get; set; }

    // As when its tokens expire: every token issued so far is refused, with 498 in an ArcGIS body in 200 OK.
    public void RevokeAll() => _validTokens.Clear();

    // compressed: answers, its refusals too, are compressed when the request asks (UseResponseCompression: brotli or
    // gzip, sent in chunks without a Content-Length), as ASP.NET Core apps, IIS and nginx with gzip on do.
    public static async Task<ArcGisUpstream> StartAsync(bool secured = false, bool compressed = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        if (compressed)
        {
            builder.Services.AddResponseCompression();
        }

        var app = builder.Build();
        var upstream = new ArcGisUpstream(app) { Secured = secured };
        if (compressed)
        {
            app.UseResponseCompression();
        }

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(GenerateTokenPath, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            upstream.Received.Enqueue((context.Features.Get<IHttpRequestFeature>()!.RawTarget, new HeaderDictionary(context.Request.Headers.ToDictionary())));
            if (upstream.Secured && !upstream.HasValidToken(context))
            {
                context.Response.StatusCode = upstream.RefuseEveryToken ? 498 : 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = InvalidTokenBody.Length;
                await context.Response.WriteAsync(InvalidTokenBody);
                return;
            }

            await next(context);
        });
        app.MapPost(GenerateTokenPath, async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["username"] != ServiceUsername || form["password"] != ServicePassword)
            {
                return Results.Text("""{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}""", "application/json");
            }

            Interlocked.Increment(ref upstream._tokensIssued);
            var token = "service-token-" + Guid.NewGuid().ToString("N");
            upstream._validTokens[token] = true;
            var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            return Results.Text($$"""{"token":"{{token}}","expires":{{expires}},"ssl":false}""", "application/json");
        });
        app.MapGet(QueryPath, () => Results.Text(FeaturesJson, "application/json"));
        app.MapGet(LargeQueryPath, () => Results.Text(LargeFeaturesJson, "application/json"));
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

    private bool HasValidToken(HttpContext context)
    {
        var header = context.Request.Headers["X-Esri-Authorization"].ToString();
        return !RefuseEveryToken && header.StartsWith("Bearer ", StringComparison.Ordinal) && _validTokens.ContainsKey(header["Bearer ".Length..]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}
