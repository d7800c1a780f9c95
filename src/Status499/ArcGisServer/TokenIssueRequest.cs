using Microsoft.AspNetCore.Http;

namespace Status499;

/// <summary>The input of <see cref="ITokenIssuer.IssueAsync"/>: a generateToken request, already checked and parsed.</summary>
public readonly struct TokenIssueRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="httpContext">The generateToken request.</param>
    /// <param name="username">The username, never empty.</param>
    /// <param name="password">The password, never empty.</param>
    /// <param name="binding">What the token must be bound to.</param>
    /// <param name="bindingValue">The referer or the IP address the token is bound to; <see langword="null"/> when <paramref name="binding"/> is <see cref="TokenBindingKind.None"/>.</param>
    /// <param name="lifetime">How long the token should live, already defaulted and capped by <see cref="ArcGisTokenOptions"/>.</param>
    /// <param name="cancellationToken">Fires when the client goes away.</param>
    public TokenIssueRequest(
        HttpContext httpContext, string username, string password, TokenBindingKind binding, string? bindingValue, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Username = username;
        Password = password;
        Binding = binding;
        BindingValue = bindingValue;
        Lifetime = lifetime;
        CancellationToken = cancellationToken;
    }

    /// <summary>The generateToken request; use its <c>RequestServices</c> to reach a user store.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The username, as sent (ArcGIS usernames are case-sensitive).</summary>
    public string Username { get; }

    /// <summary>The password. A secret: do not log it or put it into exception messages.</summary>
    public string Password { get; }

    /// <summary>What the token must be bound to.</summary>
    public TokenBindingKind Binding { get; }

    /// <summary>
    /// The exact <c>Referer</c> value (<see cref="TokenBindingKind.Referer"/>) or the IP address in its canonical text form
    /// (<see cref="TokenBindingKind.Ip"/>); <see langword="null"/> when the token is not bound.
    /// </summary>
    public string? BindingValue { get; }

    /// <summary>How long the token should live: the requested <c>expiration</c>, or the default, capped at the maximum.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Fires when the client goes away.</summary>
    public CancellationToken CancellationToken { get; }
}
