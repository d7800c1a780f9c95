namespace Status499.Gateway;

/// <summary>
/// How the gateway signs in to a secured service behind it (Gateway:Upstreams:&lt;cluster id&gt;), the role of Esri's
/// archived resource-proxy: the credentials stay on the server, the service's tokens never reach the client. Either an
/// account at the service's generateToken (<see cref="GenerateTokenUrl"/>, <see cref="Username"/>, <see cref="Password"/>)
/// or an app login at an ArcGIS <c>oauth2/token</c> (<see cref="OAuth2TokenUrl"/>, <see cref="ClientId"/>,
/// <see cref="ClientSecret"/>), never both.
/// </summary>
public sealed class UpstreamCredentials
{
    /// <summary>The service's generateToken, absolute (<c>https://gis.example.com/arcgis/tokens/generateToken</c>).</summary>
    public Uri? GenerateTokenUrl { get; set; }

    /// <summary>The gateway's username at the service.</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>The gateway's password at the service: user secrets or environment variables, never appsettings.json.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>
    /// For an app login (OAuth 2.0 client credentials): the portal's <c>oauth2/token</c>, absolute
    /// (<c>https://www.arcgis.com/sharing/rest/oauth2/token</c>, or an ArcGIS Enterprise portal's
    /// <c>https://gis.example.com/portal/sharing/rest/oauth2/token</c>).
    /// </summary>
    public Uri? OAuth2TokenUrl { get; set; }

    /// <summary>The registered application's client ID (APPID), for <see cref="OAuth2TokenUrl"/>.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The registered application's client secret (APPSECRET): user secrets or environment variables, never appsettings.json.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The lifetime asked for (the service may grant less: its <c>expires</c> is what counts). 60 minutes by default.</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How long before its expiry a token is replaced, so that no request leaves with a token about to expire.
    /// One minute by default, at most half the token's lifetime.
    /// </summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether these are app credentials for <see cref="OAuth2TokenUrl"/> rather than an account at <see cref="GenerateTokenUrl"/>.</summary>
    public bool IsAppLogin => OAuth2TokenUrl is not null;

    // The startup check (GatewayHostingExtensions): one kind of credentials, complete, with an absolute URL. The
    // message names the key and never a value: a secret put in the wrong key would otherwise end up in a log.
    internal string? Problem(string clusterId)
    {
        var key = $"{GatewayOptions.SectionName}:Upstreams:{clusterId}";
        if (GenerateTokenUrl is not null && OAuth2TokenUrl is not null)
        {
            return $"{key} has both GenerateTokenUrl and OAuth2TokenUrl: set one kind of credentials, an account (GenerateTokenUrl, Username, Password) or an app login (OAuth2TokenUrl, ClientId, ClientSecret) (docs/gateway.md).";
        }

        if (GenerateTokenUrl is null && OAuth2TokenUrl is null)
        {
            return $"{key} has no credentials: set GenerateTokenUrl, Username and Password, or OAuth2TokenUrl, ClientId and ClientSecret (docs/gateway.md).";
        }

        var (urlKey, url, idKey, id, secretKey, secret) = IsAppLogin
            ? (nameof(OAuth2TokenUrl), OAuth2TokenUrl, nameof(ClientId), ClientId, nameof(ClientSecret), ClientSecret)
            : (nameof(GenerateTokenUrl), GenerateTokenUrl, nameof(Username), Username, nameof(Password), Password);
        if (url is not { IsAbsoluteUri: true } || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return $"{key}:{urlKey} must be an absolute http or https URL (docs/gateway.md).";
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            return $"{key}:{idKey} is empty (docs/gateway.md).";
        }

        if (string.IsNullOrEmpty(secret))
        {
            return $"{key}:{secretKey} is empty: set it with user secrets or the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}__{secretKey} (docs/gateway.md).";
        }

        return null;
    }
}
