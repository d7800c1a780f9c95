// docs/tokens.md, "Per-route permissions": ASP.NET Core authorization after UseStatus499().
internal static class Permissions
{
    public static void Configure(WebApplication app)
    {
        app.UseRouting();
        app.UseStatus499();
        app.UseAuthorization();      // after UseStatus499(): policies see the token's user

        app.MapGet("/arcgis/rest/services/Admin/MapServer", () => "admin layers")
            .RequireToken()
            .RequireAuthorization(p => p.RequireRole("admin"));
    }
}
