namespace Status499;

/// <summary>
/// How tokens are read and answered on <see cref="Status499Meaning.TokenRequired"/> routes.
/// </summary>
public sealed class TokenOptions
{
    /// <summary>The cookie to read a token from, when <see cref="TokenSource.Cookie"/> is enabled. Unset by default.</summary>
    public string? CookieName { get; set; }

    /// <summary>The sources to read a token from. Defaults to every source but the cookie.</summary>
    public TokenSource Sources { get; set; } = TokenSource.All & ~TokenSource.Cookie;
}
