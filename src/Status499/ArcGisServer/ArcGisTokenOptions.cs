namespace Status499.ArcGisServer;

/// <summary>
/// How the ArcGIS token endpoints (<c>MapArcGisGenerateToken</c>, <c>MapArcGisRestInfo</c>) and the signed tokens of
/// <c>AddArcGisSignedTokens</c> behave.
/// </summary>
/// <remarks>
/// <see cref="DefaultExpiration"/>, <see cref="MaxExpiration"/>, <see cref="AllowGet"/> and <see cref="RequireHttps"/>
/// apply to the endpoints whatever issues the tokens; <see cref="ValidateCredentials"/> and <see cref="AddUser"/> apply
/// only to the signed tokens of <c>AddArcGisSignedTokens</c>, whose keys are those of ASP.NET Core Data Protection.
/// </remarks>
public sealed class ArcGisTokenOptions
{
    internal List<KeyValuePair<string, string>> Users { get; } = [];

    /// <summary>
    /// The lifetime of a token when the request has no <c>expiration</c>; also advertised by rest/info as
    /// <c>shortLivedTokenValidity</c> (in whole minutes, rounded up). Defaults to 60 minutes, as ArcGIS Server.
    /// </summary>
    public TimeSpan DefaultExpiration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// The longest lifetime granted. A longer <c>expiration</c> is capped, not refused, because clients ask for long
    /// ones (arcgis-rest-js asks for 20160 minutes); the <c>expires</c> of the answer tells the client the truth.
    /// Defaults to 1440 minutes (one day).
    /// </summary>
    public TimeSpan MaxExpiration { get; set; } = TimeSpan.FromMinutes(1440);

    /// <summary>
    /// Lets generateToken answer GET, with the credentials in the query string. Off by default, as in ArcGIS Server:
    /// URLs end up in browser histories and proxy logs.
    /// </summary>
    public bool AllowGet { get; set; }

    /// <summary>
    /// Refuses generateToken over plain HTTP (ArcGIS error 403 "SSL Required") and answers <c>"ssl":true</c>, which
    /// makes ArcGIS clients switch every later request to https. Off by default, so that a development server on
    /// http keeps working; behind a TLS-terminating proxy, use <c>UseForwardedHeaders()</c> so the request is seen as https.
    /// </summary>
    public bool RequireHttps { get; set; }

    /// <summary>
    /// Checks the credentials of a generateToken request for signed tokens: return <see langword="true"/> when they
    /// are valid. Take the same time for an unknown user as for a wrong password (verify against a dummy hash), and
    /// compare in fixed time. Set either this or <see cref="AddUser"/>.
    /// </summary>
    public Func<TokenIssueRequest, ValueTask<bool>>? ValidateCredentials { get; set; }

    /// <summary>
    /// Adds a user with a fixed password, checked in fixed time, for demos and tests; use
    /// <see cref="ValidateCredentials"/> to check against a real user store.
    /// </summary>
    /// <param name="username">The username, case-sensitive as in ArcGIS.</param>
    /// <param name="password">The password.</param>
    /// <returns>These options, for chaining.</returns>
    public ArcGisTokenOptions AddUser(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        Users.Add(new(username, password));
        return this;
    }

    /// <summary>
    /// Who the signed tokens of <c>AddArcGisSignedTokens</c> are for: only an app with the same audience and key ring
    /// accepts them. Defaults to the application name (<c>IHostEnvironment.ApplicationName</c>, the entry assembly's
    /// name unless set), so two different apps that share a key ring and a content root (every container at
    /// <c>/app</c>) refuse each other's tokens while the instances of one app accept each other's. Set it to tell apart
    /// two deployments of one app that share a key ring (staging and production). Changing it invalidates tokens
    /// already issued.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Locks a username out of generateToken after repeated wrong passwords: by default 5 failures within 15 minutes
    /// lock it for 15 minutes, as ArcGIS Server's built-in store. Applies whatever issues the tokens.
    /// </summary>
    public ArcGisTokenLockoutOptions Lockout { get; } = new();

    /// <summary>
    /// Limits generateToken requests per client address: by default 30 at once, refilled over one minute; more are
    /// answered HTTP 429 with <c>Retry-After</c>. Applies whatever issues the tokens.
    /// </summary>
    public ArcGisTokenRateLimitOptions RateLimit { get; } = new();
}
