using Status499;

var builder = WebApplication.CreateSlimBuilder(args);
// Bound from configuration (check.sh sets Status499__Routes__0__... in the environment) by the binder's source
// generator, and ArcGIS's generateToken with signed tokens (Data Protection): both must stay AOT-safe.
builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"))
    .AddStaticTokens("aot-token")
    .AddArcGisSignedTokens(o => o.AddUser("aot-user", "aot-Pa55word!"));

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
app.MapGet("/arcgis/rest/services/demo", () => "demo");
app.MapArcGisRestInfo();
app.MapArcGisGenerateToken();
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
