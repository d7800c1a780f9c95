namespace Status499.ArcGisServer;

/// <summary>
/// How many generateToken requests one client address may send (<see cref="ArcGisTokenOptions.RateLimit"/>): up to
/// <see cref="PermitLimit"/> at once, refilled evenly over <see cref="Window"/>. Requests beyond it are answered HTTP 429
/// with a <c>Retry-After</c> header and an ArcGIS error body, before the form is read.
/// </summary>
/// <remarks>
/// It complements the per-username lockout: it slows one address that tries many usernames (password spraying) and
/// bounds the work spent checking passwords. IPv6 clients are limited per /56 network, the block a provider usually
/// gives one customer. Behind a reverse proxy call <c>UseForwardedHeaders()</c> first, or every client shares the proxy's
/// address and so one limit. The limit is kept per instance, in memory.
/// </remarks>
public sealed class ArcGisTokenRateLimitOptions
{
    /// <summary>Limits requests per client address. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The requests one address may send at once, and per <see cref="Window"/> after that. Defaults to 30: a client
    /// signs in once per token lifetime, and one address can be an office behind NAT.
    /// </summary>
    public int PermitLimit { get; set; } = 30;

    /// <summary>The time over which <see cref="PermitLimit"/> requests are given back. Defaults to one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
