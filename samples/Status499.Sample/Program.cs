using Microsoft.AspNetCore.HttpLogging;
using Status499;
using Status499.Sample;

var builder = WebApplication.CreateBuilder(args);

// Method, path, status and duration only: no query string and no headers, which can carry tokens on token routes.
builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
    | HttpLoggingFields.RequestProtocol | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);

// Meanings come from appsettings.json ("Status499" section) and from endpoint metadata below.
// Token routes (/arcgis/rest/services/**, from appsettings.json, and /api/report below) accept the development token
// Sample:DemoToken and tokens minted by /arcgis/tokens/generateToken.
builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"))
    .AddDemoTokens(builder.Configuration);

var app = builder.Build();

// Everything registered before UseStatus499() sees client-closed requests as 499.
app.UseHttpLogging();
app.UseRouting();
app.UseStatus499();

app.MapGet("/", () => "Status499 sample. Try /slow and close the connection before 5 seconds.");

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

// ArcGIS-compatible REST endpoints protected by "499 Token Required".
app.MapDemoTokenEndpoints();
app.MapDemoFeatureService();

// Token-protected by endpoint metadata rather than by a route pattern.
app.MapGet("/api/report", (HttpContext context) => new { report = "quarterly", user = context.User.Identity?.Name })
    .RequireToken();

// What Status499 decided for this request.
app.MapGet("/status499", (HttpContext context) =>
{
    var feature = context.Features.Get<IStatus499Feature>();
    return new { meaning = feature?.Meaning.ToString() ?? "None" };
});

// Deliberately careless, for the analyzer shipped in the package: it flags this Task.Delay (S499001, docs/analyzers.md)
// because the handler never takes the request's token. The pragma keeps the example here.
#pragma warning disable S499001
app.MapGet("/careless", async () =>
{
    await Task.Delay(3000);
    return "finished for nobody";
});
#pragma warning restore S499001

app.Run();

/// <summary>Entry point; public for WebApplicationFactory.</summary>
public partial class Program;
