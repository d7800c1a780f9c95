using Status499;
using Status499.ArcGisServer;

// docs/arcgis-server.md, "Brute-force protection on generateToken".
internal static class BruteForceProtection
{
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddStatus499()
            .AddArcGisSignedTokens(o =>
            {
                o.ValidateCredentials = CheckPasswordAsync;
                o.Lockout.MaxFailedAttempts = 10;   // Lockout.Enabled = false if your user store locks accounts itself
                o.RateLimit.PermitLimit = 100;      // a large office behind one NAT address
            });
    }

    // Your user store; compare secrets in fixed time.
    private static ValueTask<bool> CheckPasswordAsync(TokenIssueRequest request)
        => ValueTask.FromResult(request.Username == "reader" && request.Password == "not-a-real-password");
}
