using Status499;
using Status499.Tokens;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHttpLogging(_ => { }); // net8.0 has no parameterless overload
builder.Services.AddCors();
builder.Services.AddStatus499(o => o.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired))
    .AddTokenValidator(ctx => ValueTask.FromResult(IsKnownToken(ctx.Token)   // or .AddStaticTokens("dev-token")
        ? TokenValidatorResult.Valid()
        : TokenValidatorResult.Invalid()));

var app = builder.Build();
app.UseHttpLogging();        // anything before UseStatus499() sees client-closed requests as 499
app.UseRouting();
app.UseCors();               // answers CORS preflights before the token check
app.UseStatus499();

app.MapGet("/api/report", () => "report").RequireToken();   // no token: 499; Invalid(): 498
app.MapGet("/arcgis/rest/services/Demo/FeatureServer", () => "layers");
app.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(5000, ct); return "done"; });
app.MapGet("/events", (HttpContext context) => context.Response.WriteAsync("data: hello\n\n")).DisableStatus499();

app.Run();

// Your own check (a database, a token service); this one knows a single token, to try with curl.
static bool IsKnownToken(string token) => token == "let-me-in";
