using Microsoft.AspNetCore.Http;

namespace Status499.Tokens;

/// <summary>The input of <see cref="ITokenValidator.ValidateAsync"/>: the token, where it came from, and the request.</summary>
/// <remarks>
/// Like <see cref="Microsoft.AspNetCore.Http.HttpContext"/>, the instance is pooled and reused for a later request:
/// read what you need while <see cref="ITokenValidator.ValidateAsync"/> runs and do not keep the object.
/// </remarks>
public sealed class TokenValidatorContext
{
    private HttpContext _httpContext = null!;
    private string _token = null!;
    private TokenSource _source;
    private CancellationToken _cancellationToken;

    /// <summary>The request being validated.</summary>
    public required HttpContext HttpContext { get => _httpContext; init => _httpContext = value; }

    /// <summary>The token, never empty. A secret: do not log it or put it into exception messages.</summary>
    public required string Token { get => _token; init => _token = value; }

    /// <summary>Where the token was read from.</summary>
    public required TokenSource Source { get => _source; init => _source = value; }

    /// <summary>
    /// Fires when <see cref="TokenRequiredOptions.ValidationTimeout"/> expires (the request is then refused whatever the
    /// validator returns) or when the client leaves. A validator that completes synchronously never sees it fire.
    /// </summary>
    public CancellationToken CancellationToken { get => _cancellationToken; init => _cancellationToken = value; }

    // The token check keeps one instance per pooled request state, so a synchronous validator costs no allocation per request.
    internal void Reuse(HttpContext httpContext, string token, TokenSource source, CancellationToken cancellationToken)
    {
        _httpContext = httpContext;
        _token = token;
        _source = source;
        _cancellationToken = cancellationToken;
    }
}
