using Microsoft.AspNetCore.Http;

namespace Status499.ArcGisServer;

/// <summary>The input of <see cref="ITokenIssuer.IssueAsync"/>: a generateToken request, already checked and parsed.</summary>
public sealed class TokenIssueRequest
{
    /// <summary>The generateToken request; use its <c>RequestServices</c> to reach a user store.</summary>
    public required HttpContext HttpContext { get; init; }

    /// <summary>The username, as sent (ArcGIS usernames are case-sensitive), never empty.</summary>
    public required string Username { get; init; }

    /// <summary>The password, never empty. A secret: do not log it or put it into exception messages.</summary>
    public required string Password { get; init; }

    /// <summary>What the token must be bound to.</summary>
    public TokenBindingKind Binding { get; init; }

    /// <summary>
    /// The exact <c>Referer</c> value (<see cref="TokenBindingKind.Referer"/>) or the IP address in its canonical text form
    /// (<see cref="TokenBindingKind.Ip"/>); <see langword="null"/> when the token is not bound.
    /// </summary>
    public string? BindingValue { get; init; }

    /// <summary>How long the token should live: the requested <c>expiration</c>, or the default, capped at the maximum.</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>Fires when the client goes away.</summary>
    public CancellationToken CancellationToken { get; init; }
}
