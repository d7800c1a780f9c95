namespace Status499.ArcGisServer;

/// <summary>A token returned by <see cref="ITokenIssuer.IssueAsync"/>.</summary>
public sealed class IssuedToken
{
    /// <summary>Creates an issued token.</summary>
    /// <param name="token">The token; sent to the client, which sends it back on every request.</param>
    /// <param name="expiresAt">When the token stops being accepted; sent to the client as <c>expires</c> so it can renew in time.</param>
    public IssuedToken(string token, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
        ExpiresAt = expiresAt;
    }

    /// <summary>The token. A secret: do not log it.</summary>
    public string Token { get; }

    /// <summary>When the token expires. Report it honestly: clients renew based on it.</summary>
    public DateTimeOffset ExpiresAt { get; }
}
