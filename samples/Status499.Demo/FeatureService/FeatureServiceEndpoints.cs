using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetTopologySuite.Geometries;

namespace Status499.Demo.FeatureService;

/// <summary>A read-only ArcGIS feature service of one point layer (<see cref="DemoPlaces"/>), answered as ArcGIS REST
/// JSON (<c>f=json</c>, <c>pjson</c>) or GeoJSON (<c>f=geojson</c>, queries only).</summary>
/// <remarks>
/// Token protection is not done here: the app maps <c>/arcgis/rest/services/{**path}</c> to TokenRequired, so Status499
/// refuses a request without a valid token before these endpoints run. JSON is written with <see cref="Utf8JsonWriter"/>
/// so attribute keys keep their exact case (<c>OBJECTID</c>): ArcGIS clients match them against the field names.
/// Errors are answered as ArcGIS Server does: HTTP 200 with <c>{"error":{"code":400,…}}</c>.
/// </remarks>
public static class FeatureServiceEndpoints
{
    /// <summary>Where the service is mapped.</summary>
    public const string ServicePath = "/arcgis/rest/services/Demo/FeatureServer";

    private const string LayerName = "Demo places";
    private const double CurrentVersion = 11.3;
    private static readonly string[] GetAndPost = ["GET", "POST"];
    private static readonly Envelope FullExtent = DemoPlaces.ExtentOf(DemoPlaces.All);

    /// <summary>Maps the service (<c>…/FeatureServer</c>), its layer (<c>…/FeatureServer/0</c>) and the layer's <c>query</c>.</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapDemoFeatureService(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMethods(ServicePath, GetAndPost, (HttpContext context) => AnswerAsync(context, WriteService));
        app.MapMethods(ServicePath + "/{layerId}", GetAndPost, (HttpContext context, string layerId) =>
            AnswerAsync(context, layerId == "0" ? WriteLayer : WriteInvalidUrl));
        app.MapMethods(ServicePath + "/{layerId}/query", GetAndPost, (HttpContext context, string layerId) =>
            AnswerAsync(context, layerId == "0" ? WriteQuery : WriteInvalidUrl, allowGeoJson: true));
        return app;
    }

    private static async Task AnswerAsync(HttpContext context, Action<Utf8JsonWriter, QueryParameters, bool> write, bool allowGeoJson = false)
    {
        var parameters = await QueryParameters.ReadAsync(context.Request);
        var format = (parameters.Get("f") ?? "json").ToLowerInvariant();
        var geoJson = format == "geojson" && allowGeoJson;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.ContentType = geoJson ? "application/geo+json; charset=utf-8" : "application/json; charset=utf-8";

        // Relaxed escaping writes quotes as ArcGIS does ('where', not \u0027where\u0027); the body is JSON, never HTML.
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = format == "pjson", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (format is "json" or "pjson" || geoJson)
            {
                write(writer, parameters, geoJson);
            }
            else
            {
                WriteError(writer, "Invalid or missing input parameters.", $"'f' parameter is invalid: {format}");
            }
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    // Shape from ArcGIS Server, e.g. {"code":400,"message":"Unable to complete operation.","details":["'geometry'
    // parameter is invalid","Unable to complete Query operation."]} (quoted in github.com/openaddresses/esri-dump issue 30).
    private static void WriteError(Utf8JsonWriter w, string message, params string[] details)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteNumber("code", 400);
        w.WriteString("message", message);
        w.WriteStartArray("details");
        foreach (var detail in details)
        {
            w.WriteStringValue(detail);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteInvalidUrl(Utf8JsonWriter w, QueryParameters p, bool geoJson) => WriteError(w, "Invalid URL", "Invalid URL");

    private static void WriteService(Utf8JsonWriter w, QueryParameters p, bool geoJson)
    {
        w.WriteStartObject();
        w.WriteNumber("currentVersion", CurrentVersion);
        w.WriteString("serviceDescription", "Status499 demo feature service: 12 places, token required.");
        w.WriteBoolean("hasVersionedData", false);
        w.WriteBoolean("supportsDisconnectedEditing", false);
        w.WriteBoolean("hasStaticData", true);
        w.WriteNumber("maxRecordCount", FeatureQuery.MaxRecordCount);
        w.WriteString("supportedQueryFormats", "JSON, geoJSON");
        w.WriteString("capabilities", "Query");
        w.WriteString("description", "");
        w.WriteString("copyrightText", "");
        WriteSpatialReference(w, "spatialReference", SpatialReferences.Wgs84);
        WriteExtent(w, "initialExtent", FullExtent, SpatialReferences.Wgs84);
        WriteExtent(w, "fullExtent", FullExtent, SpatialReferences.Wgs84);
        w.WriteBoolean("allowGeometryUpdates", false);
        w.WriteString("units", "esriDecimalDegrees");
        w.WriteStartArray("layers");
        w.WriteStartObject();
        w.WriteNumber("id", 0);
        w.WriteString("name", LayerName);
        w.WriteNumber("parentLayerId", -1);
        w.WriteBoolean("defaultVisibility", true);
        w.WriteNull("subLayerIds");
        w.WriteNumber("minScale", 0);
        w.WriteNumber("maxScale", 0);
        w.WriteString("type", "Feature Layer");
        w.WriteString("geometryType", "esriGeometryPoint");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("tables");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLayer(Utf8JsonWriter w, QueryParameters p, bool geoJson)
    {
        w.WriteStartObject();
        w.WriteNumber("currentVersion", CurrentVersion);
        w.WriteNumber("id", 0);
        w.WriteString("name", LayerName);
        w.WriteString("type", "Feature Layer");
        w.WriteString("description", "12 places around Redlands, California.");
        w.WriteString("geometryType", "esriGeometryPoint");
        WriteSpatialReference(w, "sourceSpatialReference", SpatialReferences.Wgs84);
        w.WriteString("copyrightText", "");
        w.WriteNull("parentLayer");
        w.WriteStartArray("subLayers");
        w.WriteEndArray();
        w.WriteNumber("minScale", 0);
        w.WriteNumber("maxScale", 0);
        w.WriteBoolean("defaultVisibility", true);
        WriteExtent(w, "extent", FullExtent, SpatialReferences.Wgs84);
        w.WriteBoolean("hasAttachments", false);
        w.WriteString("htmlPopupType", "esriServerHTMLPopupTypeNone");
        w.WriteString("displayField", DemoPlaces.NameField);
        w.WriteString("objectIdField", DemoPlaces.ObjectIdField);
        w.WriteStartObject("uniqueIdField");
        w.WriteString("name", DemoPlaces.ObjectIdField);
        w.WriteBoolean("isSystemMaintained", true);
        w.WriteEndObject();
        w.WriteNull("globalIdField");
        w.WriteNull("typeIdField");
        WriteFields(w, DemoPlaces.Fields);
        foreach (var empty in (ReadOnlySpan<string>)["types", "templates", "relationships"])
        {
            w.WriteStartArray(empty);
            w.WriteEndArray();
        }

        WriteDrawingInfo(w);
        w.WriteBoolean("hasM", false);
        w.WriteBoolean("hasZ", false);
        w.WriteBoolean("allowGeometryUpdates", false);
        w.WriteBoolean("hasStaticData", true);
        w.WriteString("capabilities", "Query");
        w.WriteNumber("maxRecordCount", FeatureQuery.MaxRecordCount);
        w.WriteNumber("standardMaxRecordCount", FeatureQuery.MaxRecordCount);
        w.WriteNumber("tileMaxRecordCount", FeatureQuery.MaxRecordCount);
        w.WriteNumber("maxRecordCountFactor", 1);
        // No PBF: advertising it makes the ArcGIS Maps SDK ask for f=pbf (docs/arcgis-contract.md §7).
        w.WriteString("supportedQueryFormats", "JSON, geoJSON");
        w.WriteBoolean("supportsAdvancedQueries", true);
        w.WriteBoolean("useStandardizedQueries", true);
        w.WriteBoolean("supportsCoordinatesQuantization", false);
        w.WriteBoolean("supportsStatistics", false);
        w.WriteBoolean("supportsExceedsLimitStatistics", false);
        w.WriteStartObject("advancedQueryCapabilities");
        w.WriteBoolean("useStandardizedQueries", true);
        w.WriteBoolean("supportsStatistics", false);
        w.WriteBoolean("supportsHavingClause", false);
        w.WriteBoolean("supportsOrderBy", true);
        w.WriteBoolean("supportsDistinct", false);
        w.WriteBoolean("supportsCountDistinct", false);
        w.WriteBoolean("supportsPagination", true);
        w.WriteBoolean("supportsPaginationOnAggregatedQueries", false);
        w.WriteBoolean("supportsTrueCurve", false);
        w.WriteBoolean("supportsReturningQueryExtent", true);
        w.WriteBoolean("supportsQueryWithDistance", false);
        w.WriteBoolean("supportsSqlExpression", false);
        w.WriteBoolean("supportsQueryWithResultType", false);
        w.WriteBoolean("supportsReturningGeometryCentroid", false);
        w.WriteEndObject();
        WriteSpatialReference(w, "spatialReference", SpatialReferences.Wgs84);
        w.WriteEndObject();
    }

    private static void WriteDrawingInfo(Utf8JsonWriter w)
    {
        w.WriteStartObject("drawingInfo");
        w.WriteStartObject("renderer");
        w.WriteString("type", "simple");
        w.WriteStartObject("symbol");
        w.WriteString("type", "esriSMS");
        w.WriteString("style", "esriSMSCircle");
        WriteColor(w, "color", 0, 92, 230);
        w.WriteNumber("size", 10);
        w.WriteNumber("angle", 0);
        w.WriteNumber("xoffset", 0);
        w.WriteNumber("yoffset", 0);
        w.WriteStartObject("outline");
        WriteColor(w, "color", 255, 255, 255);
        w.WriteNumber("width", 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("label", "");
        w.WriteString("description", "");
        w.WriteEndObject();
        w.WriteNumber("transparency", 0);
        w.WriteNull("labelingInfo");
        w.WriteEndObject();
    }

    private static void WriteQuery(Utf8JsonWriter w, QueryParameters p, bool geoJson)
    {
        if (!FeatureQuery.TryParse(p, out var query, out var problem))
        {
            WriteError(w, "Unable to complete operation.", problem, "Unable to complete Query operation.");
            return;
        }

        var (all, page, exceeded) = query.Select();
        w.WriteStartObject();
        if (query.CountOnly || query.ExtentOnly)
        {
            // GeoJSON has no count or extent member: ArcGIS puts the count in properties and the extent in bbox.
            if (geoJson)
            {
                w.WriteString("type", "FeatureCollection");
                w.WriteStartArray("features");
                w.WriteEndArray();
            }

            if (query.CountOnly)
            {
                if (geoJson)
                {
                    w.WriteStartObject("properties");
                }

                w.WriteNumber("count", all.Count);
                if (geoJson)
                {
                    w.WriteEndObject();
                }
            }

            if (query.ExtentOnly)
            {
                var extent = DemoPlaces.ExtentOf(all);
                if (geoJson)
                {
                    // RFC 7946 §5: [west, south, east, north] in WGS84; absent for an empty result.
                    if (!extent.IsNull)
                    {
                        w.WriteStartArray("bbox");
                        w.WriteNumberValue(extent.MinX);
                        w.WriteNumberValue(extent.MinY);
                        w.WriteNumberValue(extent.MaxX);
                        w.WriteNumberValue(extent.MaxY);
                        w.WriteEndArray();
                    }
                }
                else
                {
                    WriteExtent(w, "extent", extent, query.OutWkid);
                }
            }

            w.WriteEndObject();
            return;
        }

        if (query.IdsOnly)
        {
            w.WriteString("objectIdFieldName", DemoPlaces.ObjectIdField);
            w.WriteStartArray("objectIds");
            foreach (var f in all)
            {
                w.WriteNumberValue(f.ObjectId);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        if (geoJson)
        {
            WriteGeoJsonFeatures(w, query, page, exceeded);
            return;
        }

        w.WriteString("objectIdFieldName", DemoPlaces.ObjectIdField);
        w.WriteStartObject("uniqueIdField");
        w.WriteString("name", DemoPlaces.ObjectIdField);
        w.WriteBoolean("isSystemMaintained", true);
        w.WriteEndObject();
        w.WriteString("globalIdFieldName", "");
        w.WriteString("displayFieldName", DemoPlaces.NameField);
        w.WriteString("geometryType", "esriGeometryPoint");
        WriteSpatialReference(w, "spatialReference", query.OutWkid);
        WriteFields(w, query.OutFields);
        if (exceeded)
        {
            w.WriteBoolean("exceededTransferLimit", true);
        }

        w.WriteStartArray("features");
        foreach (var f in page)
        {
            w.WriteStartObject();
            WriteAttributes(w, "attributes", f, query.OutFields);
            if (query.ReturnGeometry)
            {
                var point = (Point)SpatialReferences.FromWgs84(f.Location, query.OutWkid);
                w.WriteStartObject("geometry");
                w.WriteNumber("x", point.X);
                w.WriteNumber("y", point.Y);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteGeoJsonFeatures(Utf8JsonWriter w, FeatureQuery query, List<DemoPlace> page, bool exceeded)
    {
        w.WriteString("type", "FeatureCollection");
        if (exceeded)
        {
            w.WriteStartObject("properties");
            w.WriteBoolean("exceededTransferLimit", true);
            w.WriteEndObject();
        }

        w.WriteStartArray("features");
        foreach (var f in page)
        {
            w.WriteStartObject();
            w.WriteString("type", "Feature");
            w.WriteNumber("id", f.ObjectId);
            if (query.ReturnGeometry)
            {
                // GeoJSON is WGS84 by definition (RFC 7946 §4): outSR does not apply.
                w.WriteStartObject("geometry");
                w.WriteString("type", "Point");
                w.WriteStartArray("coordinates");
                w.WriteNumberValue(f.Lon);
                w.WriteNumberValue(f.Lat);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("geometry");
            }

            WriteAttributes(w, "properties", f, query.OutFields);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter w, IEnumerable<DemoField> fields)
    {
        w.WriteStartArray("fields");
        foreach (var field in fields)
        {
            w.WriteStartObject();
            w.WriteString("name", field.Name);
            w.WriteString("type", field.Type);
            w.WriteString("alias", field.Alias);
            w.WriteString("sqlType", "sqlTypeOther");
            if (field.Length is int length)
            {
                w.WriteNumber("length", length);
            }

            w.WriteBoolean("nullable", field.Name != DemoPlaces.ObjectIdField);
            w.WriteBoolean("editable", false);
            w.WriteNull("domain");
            w.WriteNull("defaultValue");
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteAttributes(Utf8JsonWriter w, string name, DemoPlace f, IEnumerable<DemoField> fields)
    {
        w.WriteStartObject(name);
        foreach (var field in fields)
        {
            switch (f.Get(field.Name))
            {
                case int i:
                    w.WriteNumber(field.Name, i);
                    break;
                case var value:
                    w.WriteString(field.Name, (string)value);
                    break;
            }
        }

        w.WriteEndObject();
    }

    private static void WriteSpatialReference(Utf8JsonWriter w, string name, int wkid)
    {
        w.WriteStartObject(name);
        w.WriteNumber("wkid", wkid);
        w.WriteNumber("latestWkid", wkid == SpatialReferences.WebMercator ? 3857 : wkid);
        w.WriteEndObject();
    }

    // An empty extent has null corners (ArcGIS geometry objects: an empty envelope has xmin null).
    private static void WriteExtent(Utf8JsonWriter w, string name, Envelope wgs84, int wkid)
    {
        w.WriteStartObject(name);
        if (wgs84.IsNull)
        {
            foreach (var corner in (ReadOnlySpan<string>)["xmin", "ymin", "xmax", "ymax"])
            {
                w.WriteNull(corner);
            }
        }
        else
        {
            var e = SpatialReferences.FromWgs84(wgs84, wkid);
            w.WriteNumber("xmin", e.MinX);
            w.WriteNumber("ymin", e.MinY);
            w.WriteNumber("xmax", e.MaxX);
            w.WriteNumber("ymax", e.MaxY);
        }

        WriteSpatialReference(w, "spatialReference", wkid);
        w.WriteEndObject();
    }

    private static void WriteColor(Utf8JsonWriter w, string name, int r, int g, int b)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(r);
        w.WriteNumberValue(g);
        w.WriteNumberValue(b);
        w.WriteNumberValue(255);
        w.WriteEndArray();
    }
}
