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
// of. Its query (GET, or POST with a form) answers fixed features; its "Slow" service answers only when its client (the
// gateway) gives up, and says so. It records what reached it (target, headers, body), so a test can check that no
// gateway token was forwarded. Secured, it wants tokens from its own generateToken (an account) or from the oauth2/token
// of its portal (an app login, client credentials), which expire by its Clock.
public sealed class ArcGisUpstream : IAsyncDisposable
{
    public const string FeaturesJson = """{"objectIdFieldName":"OBJECTID","features":[{"attributes":{"OBJECTID":1,"NAME":"Smiley Park"}}]}""";
    public const string QueryPath = "/arcgis/rest/services/Demo/FeatureServer/0/query";
    public const string SlowQueryPath = "/arcgis/rest/services/Slow/FeatureServer/0/query";
    public const string LargeQueryPath = "/arcgis/rest/services/Large/FeatureServer/0/query";
    public const string GenerateTokenPath = "/arcgis/tokens/generateToken";
    public const string OAuth2TokenPath = "/portal/sharing/rest/oauth2/token";
    public const string ClientId = "gateway-app-id";
    public const string ClientSecret = "client-secret-app-5";
    public const string ServiceUsername = "gateway-account";
    public const string ServicePassword = "service-password-9";
    private const string InvalidTokenBody = """{"error":{"code":498,"message":"Invalid token.","details":[]}}""";

    // 2,000 features with random names: about 150 KB, still tens of KB compressed.
    public static readonly string LargeFeaturesJson = """{"objectIdFieldName":"OBJECTID","features":[""" + string.Join(',', Enumerable.Range(1, 2000)
        .Select(i => "{\"attributes\":{\"OBJECTID\":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"NAME\":\"" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N") + "\"}}")) + "]}";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _validTokens = new();
    private int _tokensIssued;
    private int _refusalStatus = 200;

    private readonly WebApplication _app;

    private ArcGisUpstream(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    // The request target, the headers and the body of every request that reached the service.
    public ConcurrentQueue<(string Target, IHeaderDictionary Headers, string Body)> Received { get; } = new();

    // The form fields of every request to its generateToken or oauth2/token.
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();

    // The clock its tokens expire by; the gateway's, in tests that move it.
    public TimeProvider Clock { get; private init; } = TimeProvider.System;

    // The expires_in of its oauth2/token (generateToken's tokens last an hour).
    public TimeSpan AppTokenLifetime { get; set; } = TimeSpan.FromHours(2);

    // How long its token endpoints take to answer, so that concurrent sign-ins would overlap.
    public TimeSpan TokenDelay { get; set; }

    public Signal SlowStarted { get; } = new();

    public Signal SlowCancelled { get; } = new();

    // Secured: its services need one of the tokens its own generateToken issued, in X-Esri-Authorization.
    public bool Secured { get; private init; }

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public IReadOnlyCollection<string> IssuedTokens => _validTokens.Keys.ToList();

    // Answers every service request with HTTP 498 (ArcGIS's StatusCode mode), whatever the token.
    public bool RefuseEveryToken { get; set; }

    // As when its tokens expire: every token issued so far is refused, with 498 in an ArcGIS body in 200 OK, or on the
    // status line too (statusLine 498, ArcGIS's StatusCode mode).
    public void RevokeAll(int statusLine = 200)
    {
        _refusalStatus = statusLine;
        _validTokens.Clear();
    }

    // compressed: answers, its refusals too, are compressed when the request asks (UseResponseCompression: brotli or
    // gzip, sent in chunks without a Content-Length), as ASP.NET Core apps, IIS and nginx with gzip on do.
    public static async Task<ArcGisUpstream> StartAsync(bool secured = false, TimeProvider? clock = null, bool compressed = false)
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
        var upstream = new ArcGisUpstream(app) { Secured = secured, Clock = clock ?? TimeProvider.System };
        if (compressed)
        {
            app.UseResponseCompression();
        }

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(GenerateTokenPath, StringComparison.Ordinal)
                || context.Request.Path.StartsWithSegments(OAuth2TokenPath, StringComparison.Ordinal))
            {
                var fields = await context.Request.ReadFormAsync();
                upstream.TokenRequests.Enqueue(fields.ToDictionary(f => f.Key, f => f.Value.ToString()));
                await Task.Delay(upstream.TokenDelay);
                await next(context);
                return;
            }

            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            upstream.Received.Enqueue((context.Features.Get<IHttpRequestFeature>()!.RawTarget, new HeaderDictionary(context.Request.Headers.ToDictionary()), body));
            if (upstream.Secured && !upstream.HasValidToken(context))
            {
                context.Response.StatusCode = upstream.RefuseEveryToken ? 498 : Volatile.Read(ref upstream._refusalStatus);
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
            var expires = upstream.Clock.GetUtcNow().AddHours(1);
            upstream._validTokens[token] = expires;
            return Results.Text($$"""{"token":"{{token}}","expires":{{expires.ToUnixTimeMilliseconds()}},"ssl":false}""", "application/json");
        });
        // An ArcGIS portal's oauth2/token, client credentials grant (https://developers.arcgis.com/rest/users-groups-and-items/token/):
        // its refusal is the ArcGIS error body with the OAuth error fields, in 200 OK.
        app.MapPost(OAuth2TokenPath, async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId)
            {
                return Results.Text("""{"error":{"code":400,"error":"invalid_request","error_description":"Invalid client_id","message":"Invalid client_id","details":[]}}""", "application/json");
            }

            if (form["client_secret"] != ClientSecret)
            {
                return Results.Text("""{"error":{"code":401,"error":"invalid_client","error_description":"Invalid client_secret","message":"Invalid client_secret","details":[]}}""", "application/json");
            }

            Interlocked.Increment(ref upstream._tokensIssued);
            var token = "app-token-" + Guid.NewGuid().ToString("N");
            upstream._validTokens[token] = upstream.Clock.GetUtcNow() + upstream.AppTokenLifetime;
            return Results.Text($$"""{"access_token":"{{token}}","expires_in":{{(long)upstream.AppTokenLifetime.TotalSeconds}}}""", "application/json");
        });
        app.MapGet(QueryPath, () => Results.Text(FeaturesJson, "application/json"));
        app.MapPost(QueryPath, () => Results.Text(FeaturesJson, "application/json"));
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
        return !RefuseEveryToken && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && _validTokens.TryGetValue(header["Bearer ".Length..], out var expires) && Clock.GetUtcNow() < expires;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}
