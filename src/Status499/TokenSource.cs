namespace Status499;

/// <summary>Places a token can be read from, in the order <see cref="TokenOptions.Sources"/> checks by default.</summary>
[Flags]
public enum TokenSource
{
    /// <summary>No token.</summary>
    None = 0,

    /// <summary>The <c>X-Esri-Authorization: Bearer &lt;token&gt;</c> header, which Esri recommends because proxies do not log it.</summary>
    EsriAuthorizationHeader = 1,

    /// <summary>The standard <c>Authorization: Bearer &lt;token&gt;</c> header.</summary>
    AuthorizationHeader = 2,

    /// <summary>The <c>token</c> query parameter (ArcGIS's traditional form; it leaks into proxy and access logs).</summary>
    Query = 4,

    /// <summary>The <c>token</c> field of an <c>application/x-www-form-urlencoded</c> POST body.</summary>
    Form = 8,

    /// <summary>A cookie, when <see cref="TokenOptions.CookieName"/> is set.</summary>
    Cookie = 16,

    /// <summary>Every source.</summary>
    All = EsriAuthorizationHeader | AuthorizationHeader | Query | Form | Cookie,
}
