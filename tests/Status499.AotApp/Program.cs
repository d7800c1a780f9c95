using Status499;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddStatus499().AddStaticTokens("aot-token");

var app = builder.Build();

// Outside UseStatus499(): what an access log would record for /slow.
app.Use(async (context, next) =>
{
    await next(context);
    if (context.Request.Path == "/slow")
    {
        SlowStatus.Last = context.Response.StatusCode;
    }
});
app.UseRouting();
app.UseStatus499();

app.MapGet("/", () => "hello");
app.MapGet("/report", () => "report").RequireToken();
app.MapGet("/slow", async (CancellationToken ct) =>
{
    await Task.Delay(TimeSpan.FromMinutes(1), ct);
    return "done";
});
app.MapGet("/last-slow-status", () => SlowStatus.Last.ToString(System.Globalization.CultureInfo.InvariantCulture));

app.Run();

internal static class SlowStatus
{
    private static int _last;

    public static int Last
    {
        get => Volatile.Read(ref _last);
        set => Volatile.Write(ref _last, value);
    }
}
