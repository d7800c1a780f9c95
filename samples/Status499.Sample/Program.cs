using Microsoft.AspNetCore.HttpLogging;
using Status499;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddHttpLogging(o => o.LoggingFields = HttpLoggingFields.RequestPropertiesAndHeaders | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);

// Meanings come from appsettings.json ("Status499" section) and from endpoint metadata below.
builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"));

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

// What Status499 decided for this request.
app.MapGet("/status499", (HttpContext context) =>
{
    var feature = context.Features.Get<IStatus499Feature>();
    return new { meaning = feature?.Meaning.ToString() ?? "None" };
});

app.Run();

/// <summary>Entry point; public for WebApplicationFactory.</summary>
public partial class Program;
