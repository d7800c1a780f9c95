namespace Status499.ArcGisErrors;

/// <summary>Which ArcGIS product's error strings token errors copy. Clients key on the numeric code, which both keep.</summary>
public enum ArcGisDialect
{
    /// <summary>
    /// ArcGIS Online (also Koop and the <c>@esri/arcgis-rest-request</c> test mocks):
    /// <c>{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]}}</c>,
    /// <c>"Invalid token."</c>.
    /// </summary>
    Online = 0,

    /// <summary>
    /// On-premises ArcGIS Server / Enterprise: <c>{"error":{"code":499,"message":"Token Required","details":[]}}</c>
    /// (no messageCode) and <c>"Invalid Token"</c>.
    /// </summary>
    Enterprise = 1,
}
