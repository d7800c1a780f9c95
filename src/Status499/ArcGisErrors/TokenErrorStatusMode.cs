namespace Status499.ArcGisErrors;

/// <summary>The HTTP status line that carries a token error.</summary>
/// <remarks>
/// ArcGIS Server wraps errors in <c>200 OK</c>, and <c>@esri/arcgis-rest-request</c> only raises its
/// <c>ArcGISAuthError</c> (which refreshes the credential and retries) for a 2xx response whose body has code 498/499:
/// a real 499 status becomes a plain request error and no refresh happens. See docs/arcgis-status-line.md.
/// </remarks>
public enum TokenErrorStatusMode
{
    /// <summary>
    /// ArcGIS-style requests (an <c>f</c> parameter of <c>json</c>, <c>pjson</c> or <c>geojson</c>) get
    /// <see cref="ArcGisCompatible"/>; all others get <see cref="StatusCode"/>. The default.
    /// </summary>
    Auto = 0,

    /// <summary><c>200 OK</c> with the error body, exactly as ArcGIS Server answers.</summary>
    ArcGisCompatible = 1,

    /// <summary>
    /// <c>499 Token Required</c>, <c>498 Invalid Token</c>, <c>403 Forbidden</c> or <c>400 Bad Request</c> on the
    /// status line, with the same body: what generic HTTP clients, caches and monitoring understand.
    /// </summary>
    StatusCode = 2,
}
