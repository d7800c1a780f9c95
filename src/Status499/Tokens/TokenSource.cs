namespace Status499.Tokens;

/// <summary>A place a token can be read from. <see cref="TokenRequiredOptions.Sources"/> lists the enabled ones in the order they are read.</summary>
public enum TokenSource
{
    /// <summary>No token.</summary>
    None = 0,

    /// <summary>The <c>X-Esri-Authorization: Bearer &lt;token&gt;</c> header, which Esri recommends because proxies do not log it.</summary>
    EsriAuthorizationHeader = 1,

    /// <summary>The standard <c>Authorization: Bearer &lt;token&gt;</c> header. Other schemes (Basic, Negotiate) are ignored.</summary>
    AuthorizationHeader = 2,

    /// <summary>The <c>token</c> query parameter (ArcGIS's traditional form; it leaks into proxy and access logs).</summary>
    Query = 3,

    /// <summary>The <c>token</c> field of an <c>application/x-www-form-urlencoded</c> POST body.</summary>
    Form = 4,

    /// <summary>The cookie named by <see cref="TokenRequiredOptions.CookieName"/>.</summary>
    Cookie = 5,
}
