using Status499.ArcGisErrors;

namespace Status499.Tokens;

/// <summary>
/// How tokens are read, validated and refused on <see cref="Status499Meaning.TokenRequired"/> routes.
/// </summary>
public sealed class TokenRequiredOptions
{
    /// <summary>The default <see cref="MaxTokenLength"/>.</summary>
    public const int DefaultMaxTokenLength = 4096;

    /// <summary>
    /// The enabled token sources, in the order they are read. Defaults to <c>X-Esri-Authorization</c>,
    /// <c>Authorization</c>, the <c>token</c> query parameter, the <c>token</c> form field. Remove
    /// <see cref="TokenSource.Query"/> to refuse tokens in URLs, which end up in proxy logs. A token found in two
    /// sources must be the same, or the request is refused with 400.
    /// </summary>
    public IList<TokenSource> Sources { get; } = new List<TokenSource>
    {
        TokenSource.EsriAuthorizationHeader,
        TokenSource.AuthorizationHeader,
        TokenSource.Query,
        TokenSource.Form,
    };

    /// <summary>
    /// The cookie to read a token from. Setting it adds <see cref="TokenSource.Cookie"/> to the end of
    /// <see cref="Sources"/> unless it is listed already.
    /// </summary>
    public string? CookieName { get; set; }

    /// <summary>Tokens longer than this are refused with 400 before any validator runs. Defaults to 4096 characters.</summary>
    public int MaxTokenLength { get; set; } = DefaultMaxTokenLength;

    /// <summary>
    /// The largest <c>application/x-www-form-urlencoded</c> body read to look for a <c>token</c> field, before any
    /// token has been checked. Larger bodies are refused with 400. Defaults to 1 MiB (ArcGIS query forms can carry geometries).
    /// </summary>
    public long MaxFormLength { get; set; } = 1024 * 1024;

    /// <summary>Which ArcGIS product's error strings to send. Defaults to <see cref="ArcGisDialect.Online"/>.</summary>
    public ArcGisDialect Dialect { get; set; } = ArcGisDialect.Online;

    /// <summary>The status line of token errors. Defaults to <see cref="TokenErrorStatusMode.Auto"/>.</summary>
    public TokenErrorStatusMode StatusMode { get; set; } = TokenErrorStatusMode.Auto;

    /// <summary>Overrides the message of the 499 Token Required error; <see langword="null"/> keeps the dialect's.</summary>
    public string? TokenRequiredMessage { get; set; }

    /// <summary>Overrides the message of the 498 Invalid Token error; <see langword="null"/> keeps the dialect's.</summary>
    public string? InvalidTokenMessage { get; set; }

    /// <summary>Overrides the message of the 403 error; <see langword="null"/> keeps the dialect's.</summary>
    public string? ForbiddenMessage { get; set; }

    /// <summary>
    /// How long a validator may take, at most 5 minutes. A validator that has not answered by then fails closed
    /// (code 498) and its cancellation token fires. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Answers JSON errors as JSONP when the request has a <c>callback</c> parameter that is a plain JavaScript
    /// identifier (or dotted path). Off by default: JSONP lets any site read the response.
    /// </summary>
    public bool EnableJsonp { get; set; }

    /// <summary>
    /// Sends RFC 9457 problem details (<c>application/problem+json</c>) to requests without an <c>f</c> parameter even
    /// when they do not ask for it. Requests whose <c>Accept</c> names <c>application/problem+json</c> always get them.
    /// </summary>
    public bool PreferProblemDetails { get; set; }
}
