namespace Status499.ArcGisServer;

/// <summary>What an issued token is bound to: the ArcGIS <c>client</c> parameter of generateToken.</summary>
public enum TokenBindingKind
{
    /// <summary>
    /// Not bound: any caller holding the token may use it. What a request without <c>client</c> gets, as the ArcGIS
    /// Maps SDK for JavaScript sends none.
    /// </summary>
    None = 0,

    /// <summary>
    /// Bound to a <c>Referer</c> (<c>client=referer</c>): the token is accepted only on requests whose <c>Referer</c>
    /// header equals the bound value exactly. The value is not necessarily a URL (arcgis-rest-js in Node sends
    /// <c>@esri/arcgis-rest-js</c>).
    /// </summary>
    Referer = 1,

    /// <summary>
    /// Bound to an IP address (<c>client=ip</c> with the <c>ip</c> parameter, or <c>client=requestip</c> for the caller's
    /// address): the token is accepted only from that address.
    /// </summary>
    Ip = 2,
}
