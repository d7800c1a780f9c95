using Microsoft.AspNetCore.Http;

namespace Status499;

/// <summary>The input of <see cref="ITokenValidator.ValidateAsync"/>.</summary>
public readonly struct TokenValidationContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="httpContext">The request.</param>
    /// <param name="token">The token, never empty.</param>
    /// <param name="source">Where the token was read from.</param>
    /// <param name="cancellationToken">Fires when <see cref="TokenOptions.ValidationTimeout"/> expires or the client leaves.</param>
    public TokenValidationContext(HttpContext httpContext, string token, TokenSource source, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Token = token;
        Source = source;
        CancellationToken = cancellationToken;
    }

    /// <summary>The request being validated.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The token. A secret: do not log it or put it into exception messages.</summary>
    public string Token { get; }

    /// <summary>Where the token was read from.</summary>
    public TokenSource Source { get; }

    /// <summary>
    /// Fires when the validation timeout expires (the request is then refused whatever the validator returns) or when
    /// the client leaves. A validator that completes synchronously never sees it fire.
    /// </summary>
    public CancellationToken CancellationToken { get; }
}
