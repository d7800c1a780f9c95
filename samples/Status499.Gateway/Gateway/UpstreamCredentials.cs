namespace Status499.Gateway;

/// <summary>
/// How the gateway signs in to a secured service behind it (Gateway:Upstreams:&lt;cluster id&gt;), the role of Esri's
/// archived resource-proxy: the credentials stay on the server, the service's tokens never reach the client.
/// </summary>
public sealed class UpstreamCredentials
{
    /// <summary>The service's generateToken, absolute (<c>https://gis.example.com/arcgis/tokens/generateToken</c>).</summary>
    public Uri? GenerateTokenUrl { get; set; }

    /// <summary>The gateway's username at the service.</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>The gateway's password at the service: user secrets or environment variables, never appsettings.json.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>The lifetime asked for (the service may grant less: its <c>expires</c> is what counts). 60 minutes by default.</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How long before its expiry a token is replaced, so that no request leaves with a token about to expire.
    /// One minute by default, at most half the token's lifetime.
    /// </summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(1);
}
