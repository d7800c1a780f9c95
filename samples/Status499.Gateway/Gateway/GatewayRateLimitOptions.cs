namespace Status499.Gateway;

/// <summary>Gateway:RateLimit: how many proxied requests one client address may send per window.</summary>
public sealed class GatewayRateLimitOptions
{
    /// <summary>The requests allowed per <see cref="Window"/> and client address. Must be at least 1.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The length of a window. Must be positive.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
