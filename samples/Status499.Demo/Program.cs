using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.RateLimiting;
using Status499;
using Status499.Demo;
using Status499.Demo.FeatureService;

var builder = WebApplication.CreateBuilder(args);

// The demo user and token: defaults in Development, configured elsewhere (or the demo stops here and says how).
if (!DemoCredentials.TryRead(builder.Configuration, builder.Environment, out var demo, out var problem))
{
    Console.Error.WriteLine(problem);
    return 1;
}

if (!DemoTokenLifetime.TryRead(builder.Configuration, out var maxTokenLifetime, out problem))
{
    Console.Error.WriteLine(problem);
    return 1;
}

// Method, path, status and duration only: no query string and no headers, which can carry tokens on token routes.
builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
    | HttpLoggingFields.RequestProtocol | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);
// Browser GIS clients on other origins (the feature service's data is public, the token is what protects it).
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()));
builder.Services.AddResponseCompression();
builder.Services.AddSingleton<ClientClosedCounters>();
// One /queued request at a time, the others wait in the limiter's queue: a client that leaves there is a 499 in the
// phase queued, with how long it waited (HAProxy's Tw).
builder.Services.AddRateLimiter(o => o.AddConcurrencyLimiter("one-at-a-time", l =>
{
    l.PermitLimit = 1;
    l.QueueLimit = 10;
}));

// Meanings come from appsettings.json ("Status499": /arcgis/rest/services/** is TokenRequired, the rest
// ClientClosedRequest) and from endpoint metadata below. Tokens: the fixed demo token for curl, and the tokens that
// generateToken mints for the demo user.
var status499 = builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"));
if (demo.Token is not null)
{
    status499.AddStaticTokens(demo.Token);
}

status499.AddArcGisSignedTokens(o =>
{
    o.AddUser(demo.Username, demo.Password);
    if (maxTokenLifetime is { } max)
    {
        // generateToken takes expiration in minutes and caps it at MaxExpiration, so tokens of a few seconds are possible.
        o.MaxExpiration = max;
        o.DefaultExpiration = max < o.DefaultExpiration ? max : o.DefaultExpiration;
    }
});

var app = builder.Build();

app.UseHttpLogging();          // anything before UseStatus499() sees client-closed requests as 499
app.UseResponseCompression();
app.UseDefaultFiles();         // the home page, wwwroot/index.html
app.UseStaticFiles();
app.UseRouting();
app.UseCors();                 // answers CORS preflights before the token check
app.UseStatus499();
app.UseRateLimiter();          // after UseStatus499(): a client that leaves while queued is recorded (phase queued)

// The four ways a client can leave (the home page's buttons abort them from the browser).
// Honours the token: a client that leaves is a 499, and the OperationCanceledException never becomes a 500.
app.MapGet("/slow", async (CancellationToken ct) =>
{
    await Task.Delay(TimeSpan.FromSeconds(5), ct);
    return "done";
});

// Ignores the token and writes a 200 into the closed connection: still recorded as 499.
app.MapGet("/ignores-token", async () =>
{
    await Task.Delay(TimeSpan.FromSeconds(5));
    return "done";
});

// Reads the body slowly: a client that leaves mid-upload breaks the read (an IOException from Kestrel), recorded as a
// 499 in phase request_body.
app.MapPost("/upload", async (HttpRequest request) =>
{
    var buffer = new byte[64 * 1024];
    long received = 0;
    int read;
    while ((read = await request.Body.ReadAsync(buffer)) > 0)
    {
        received += read;
        await Task.Delay(20);
    }

    return new { received };
});

// Streams: a client that leaves mid-stream keeps its 200, recorded as closed during the response.
app.MapGet("/stream", async (HttpResponse response, CancellationToken ct) =>
{
    for (var i = 0; i < 10; i++)
    {
        await response.WriteAsync($"chunk {i}\n", ct);
        await response.Body.FlushAsync(ct);
        await Task.Delay(500, ct);
    }
});

// Holds the only permit for 5 s: a second /queued request waits in the rate limiter's queue meanwhile.
app.MapGet("/queued", async (ILogger<QueuedDemo> logger, CancellationToken ct) =>
{
    QueuedDemo.HoldsThePermit(logger);
    await Task.Delay(TimeSpan.FromSeconds(5), ct);
    return "done";
}).RequireRateLimiting("one-at-a-time");

// Work that must finish (nginx's proxy_ignore_client_abort): the order is saved even when the client leaves, because
// RequestAborted ignores the client here; shutdown, a request timeout or the 10 s maximum after the client left still
// cancel it. Still recorded as a 499, with the work done after the client left (status499.wasted_work.duration).
var ordersSaved = 0;
app.MapPost("/orders", async (CancellationToken ct) =>
{
    await Task.Delay(TimeSpan.FromSeconds(2), ct); // the payment provider and the database
    return new { order = Interlocked.Increment(ref ordersSaved) };
}).ContinueAfterClientAbort(TimeSpan.FromSeconds(10));
app.MapGet("/orders", () => new { saved = Volatile.Read(ref ordersSaved) });

// Server-sent events handle disconnects themselves: leave them alone.
app.MapGet("/events", async (HttpResponse response, CancellationToken ct) =>
{
    response.ContentType = "text/event-stream";
    while (!ct.IsCancellationRequested)
    {
        await response.WriteAsync("data: tick\n\n", CancellationToken.None);
        await Task.Delay(1000, CancellationToken.None);
    }
}).DisableStatus499();

// ArcGIS Server's sign-in loop, and a feature service under /arcgis/rest/services (TokenRequired by appsettings.json).
app.MapArcGisRestInfo("/arcgis/rest/info", "/arcgis/tokens/generateToken");
app.MapArcGisGenerateToken("/arcgis/tokens/generateToken");
app.MapDemoFeatureService();

// Token-protected by endpoint metadata rather than by a route pattern.
app.MapGet("/api/report", (HttpContext context) => new { report = "quarterly", user = context.User.Identity?.Name })
    .RequireToken();

// What Status499 decided for this request.
app.MapGet("/status499", (HttpContext context) =>
    new { meaning = context.Features.Get<IStatus499Feature>()?.Meaning.ToString() ?? "None" });

// Deliberately careless, for the analyzer shipped in the package: it flags this Task.Delay (S499001, docs/analyzers.md)
// because the handler never takes the request's token. The pragma keeps the example here.
#pragma warning disable S499001
app.MapGet("/careless", async () =>
{
    await Task.Delay(3000);
    return "finished for nobody";
});
#pragma warning restore S499001

// The home page's counters (read from the library's own metric) and demo user name.
app.MapHomePageEndpoints(demo);

StartupBanner.PrintWhenStarted(app, demo);
app.Run();
return 0;
