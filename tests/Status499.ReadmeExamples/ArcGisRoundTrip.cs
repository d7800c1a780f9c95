using Status499;
using Status499.ArcGisServer;

internal static class ArcGisRoundTrip
{
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddStatus499(o => o.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired))
            .AddArcGisSignedTokens(o => o.ValidateCredentials = CheckPasswordAsync);
    }

    public static void Map(WebApplication app)
    {
        app.UseStatus499();
        app.MapArcGisRestInfo("/arcgis/rest/info", "/arcgis/tokens/generateToken");
        app.MapArcGisGenerateToken("/arcgis/tokens/generateToken");
    }

    // Your user store; compare secrets in fixed time.
    private static ValueTask<bool> CheckPasswordAsync(TokenIssueRequest request)
        => ValueTask.FromResult(request.Username == "reader" && request.Password == "not-a-real-password");
}
