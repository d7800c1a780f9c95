namespace Status499.Gateway;

/// <summary>The gateway's own settings: the "Gateway" section of appsettings.json.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Where the gateway answers ArcGIS rest/info, which points clients at <see cref="GenerateTokenPath"/>.</summary>
    public string RestInfoPath { get; set; } = "/arcgis/rest/info";

    /// <summary>Where the gateway issues its tokens (ArcGIS generateToken).</summary>
    public string GenerateTokenPath { get; set; } = "/arcgis/tokens/generateToken";

    /// <summary>
    /// The Data Protection application name, the same on every instance: with the shared key ring, it is what makes
    /// a token minted by one instance valid on the others.
    /// </summary>
    public string ApplicationName { get; set; } = "Status499.Gateway";

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>redis:6379</c>) shared by every instance: the Data Protection
    /// key ring, the generateToken lockout and the <see cref="RateLimit"/> counts live there. Unset: one instance, keys
    /// in the user profile, lockout and rate limit in memory.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The prefix of every Redis key the gateway writes, so several gateways can share one Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "Status499.Gateway:";

    /// <summary>
    /// The users who may sign in at generateToken. Keep passwords out of appsettings.json: user secrets in
    /// development, environment variables (<c>Gateway__Users__0__Password</c>) or a secret store in production.
    /// </summary>
    public List<GatewayUser> Users { get; } = [];

    /// <summary>
    /// Credentials for secured services, by YARP cluster id (Gateway:Upstreams:&lt;cluster id&gt;): the gateway signs in to
    /// each with its own account and sends the service's token with every request it forwards there.
    /// </summary>
    public Dictionary<string, UpstreamCredentials> Upstreams { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// URL prefixes a proxied request's Referer must start with (Esri resource-proxy's allowedReferers), for example
    /// <c>https://maps.example.com/</c>; <c>*</c> allows any. Empty (the default): no check.
    /// </summary>
    public List<string> AllowedReferers { get; } = [];

    /// <summary>A per-client-address limit on proxied requests (Esri resource-proxy's rateLimit); unset, none.</summary>
    public GatewayRateLimitOptions? RateLimit { get; set; }
}
