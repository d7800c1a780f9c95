using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace Status499.Sample;

/// <summary>An in-memory ArcGIS-like feature service under /arcgis/rest/services/Demo/FeatureServer.</summary>
/// <remarks>
/// One point layer (id 0) of 12 features in WGS84, answered as ArcGIS REST JSON (<c>f=json</c>, <c>pjson</c>) or GeoJSON
/// (<c>f=geojson</c>, queries only). Token protection is not done here: appsettings.json maps
/// <c>/arcgis/rest/services/{**path}</c> to TokenRequired, so Status499 refuses requests without a valid token before
/// these endpoints run. JSON is written with <see cref="Utf8JsonWriter"/> so attribute keys keep their exact case
/// (<c>OBJECTID</c>): ArcGIS clients match them against the field names.
/// </remarks>
public static class DemoFeatureService
{
    private const string ServicePath = "/arcgis/rest/services/Demo/FeatureServer";
    private const string LayerName = "Demo points";
    private const string ObjectIdField = "OBJECTID";
    private const string NameField = "NAME";
    private const int MaxRecordCount = 1000;
    private const double CurrentVersion = 11.3;
    private const double EarthRadius = 6378137.0;

    private static readonly string[] GetAndPost = ["GET", "POST"];

    // Around Redlands, California; [OBJECTID, NAME, lon, lat].
    private static readonly DemoFeature[] Features =
    [
        new(1, "Smiley Library", -117.1817, 34.0586),
        new(2, "Redlands Bowl", -117.1822, 34.0579),
        new(3, "Kimberly Crest", -117.1751, 34.0446),
        new(4, "Prospect Park", -117.1770, 34.0452),
        new(5, "Redlands Depot", -117.1827, 34.0594),
        new(6, "University of Redlands", -117.1640, 34.0634),
        new(7, "Sylvan Park", -117.1709, 34.0620),
        new(8, "Ford Park", -117.1520, 34.0530),
        new(9, "Caroline Park", -117.1608, 34.0381),
        new(10, "Esri Campus", -117.1956, 34.0572),
        new(11, "Redlands City Hall", -117.1845, 34.0560),
        new(12, "Israel Beal Park", -117.1990, 34.0480),
    ];

    private static readonly (double XMin, double YMin, double XMax, double YMax) FullExtent = ExtentOf(Features);

    /// <summary>Maps the demo feature service endpoints, and the Maps SDK test page at <c>/maps-sdk/</c>.</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapDemoFeatureService(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapMethods(ServicePath, GetAndPost, (HttpContext context) => AnswerAsync(context, WriteService));
        app.MapMethods(ServicePath + "/{layerId}", GetAndPost, (HttpContext context, string layerId) =>
            layerId == "0" ? AnswerAsync(context, WriteLayer) : AnswerAsync(context, (w, _) => WriteError(w, 400, "Invalid URL", "Invalid URL")));
        app.MapMethods(ServicePath + "/{layerId}/query", GetAndPost, (HttpContext context, string layerId) =>
            layerId == "0" ? AnswerAsync(context, WriteQuery, allowGeoJson: true) : AnswerAsync(context, (w, _) => WriteError(w, 400, "Invalid URL", "Invalid URL")));

        // The ArcGIS Maps SDK test page of tests/clients/maps-sdk.mjs, same origin as the service (no CORS).
        app.MapMapsSdkTestPage();
        return app;
    }

    private static async Task AnswerAsync(HttpContext context, Action<Utf8JsonWriter, Parameters> write, bool allowGeoJson = false)
    {
        var parameters = await Parameters.ReadAsync(context.Request, context.RequestAborted);
        var format = (parameters.Get("f") ?? "json").ToLowerInvariant();
        var indented = format == "pjson";
        var response = context.Response;
        response.Headers.CacheControl = "no-store";

        if (format == "geojson" && allowGeoJson)
        {
            response.ContentType = "application/geo+json; charset=utf-8";
            await WriteAsync(response, false, w => WriteGeoJson(w, parameters));
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        if (format is not ("json" or "pjson"))
        {
            // ArcGIS Server answers errors with 200 OK and an error body.
            await WriteAsync(response, false, w => WriteError(w, 400, "Invalid or missing input parameters.", $"'f' parameter is invalid: {format}"));
            return;
        }

        await WriteAsync(response, indented, w => write(w, parameters));
    }

    private static async Task WriteAsync(HttpResponse response, bool indented, Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            write(writer);
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted);
    }

    private static void WriteError(Utf8JsonWriter w, int code, string message, string detail)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteStartArray("details");
        w.WriteStringValue(detail);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteService(Utf8JsonWriter w, Parameters p)
    {
        w.WriteStartObject();
        w.WriteNumber("currentVersion", CurrentVersion);
        w.WriteString("serviceDescription", "Status499 demo feature service: 12 points, token required.");
        w.WriteBoolean("hasVersionedData", false);
        w.WriteBoolean("supportsDisconnectedEditing", false);
        w.WriteBoolean("hasStaticData", true);
        w.WriteNumber("maxRecordCount", MaxRecordCount);
        w.WriteString("supportedQueryFormats", "JSON");
        w.WriteString("capabilities", "Query");
        w.WriteString("description", "");
        w.WriteString("copyrightText", "");
        WriteSpatialReference(w, "spatialReference", 4326);
        WriteExtent(w, "initialExtent", FullExtent, 4326);
        WriteExtent(w, "fullExtent", FullExtent, 4326);
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

    private static void WriteLayer(Utf8JsonWriter w, Parameters p)
    {
        w.WriteStartObject();
        w.WriteNumber("currentVersion", CurrentVersion);
        w.WriteNumber("id", 0);
        w.WriteString("name", LayerName);
        w.WriteString("type", "Feature Layer");
        w.WriteString("description", "12 points around Redlands, California.");
        w.WriteString("geometryType", "esriGeometryPoint");
        WriteSpatialReference(w, "sourceSpatialReference", 4326);
        w.WriteString("copyrightText", "");
        w.WriteNull("parentLayer");
        w.WriteStartArray("subLayers");
        w.WriteEndArray();
        w.WriteNumber("minScale", 0);
        w.WriteNumber("maxScale", 0);
        w.WriteBoolean("defaultVisibility", true);
        WriteExtent(w, "extent", FullExtent, 4326);
        w.WriteBoolean("hasAttachments", false);
        w.WriteString("htmlPopupType", "esriServerHTMLPopupTypeNone");
        w.WriteString("displayField", NameField);
        w.WriteString("objectIdField", ObjectIdField);
        w.WriteStartObject("uniqueIdField");
        w.WriteString("name", ObjectIdField);
        w.WriteBoolean("isSystemMaintained", true);
        w.WriteEndObject();
        w.WriteNull("globalIdField");
        w.WriteNull("typeIdField");
        w.WriteStartArray("fields");
        WriteField(w, ObjectIdField, "esriFieldTypeOID", "Object ID", length: null, nullable: false);
        WriteField(w, NameField, "esriFieldTypeString", "Name", length: 64, nullable: true);
        w.WriteEndArray();
        w.WriteStartArray("types");
        w.WriteEndArray();
        w.WriteStartArray("templates");
        w.WriteEndArray();
        w.WriteStartArray("relationships");
        w.WriteEndArray();
        w.WriteStartObject("drawingInfo");
        w.WriteStartObject("renderer");
        w.WriteString("type", "simple");
        w.WriteStartObject("symbol");
        w.WriteString("type", "esriSMS");
        w.WriteString("style", "esriSMSCircle");
        WriteColor(w, "color", 0, 92, 230, 255);
        w.WriteNumber("size", 10);
        w.WriteNumber("angle", 0);
        w.WriteNumber("xoffset", 0);
        w.WriteNumber("yoffset", 0);
        w.WriteStartObject("outline");
        WriteColor(w, "color", 255, 255, 255, 255);
        w.WriteNumber("width", 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("label", "");
        w.WriteString("description", "");
        w.WriteEndObject();
        w.WriteNumber("transparency", 0);
        w.WriteNull("labelingInfo");
        w.WriteEndObject();
        w.WriteBoolean("hasM", false);
        w.WriteBoolean("hasZ", false);
        w.WriteBoolean("allowGeometryUpdates", false);
        w.WriteBoolean("hasStaticData", true);
        w.WriteString("capabilities", "Query");
        w.WriteNumber("maxRecordCount", MaxRecordCount);
        w.WriteNumber("standardMaxRecordCount", MaxRecordCount);
        w.WriteNumber("tileMaxRecordCount", MaxRecordCount);
        w.WriteNumber("maxRecordCountFactor", 1);
        // JSON only: advertising PBF makes the Maps SDK ask for f=pbf (contract §7).
        w.WriteString("supportedQueryFormats", "JSON");
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
        WriteSpatialReference(w, "spatialReference", 4326);
        w.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter w, string name, string type, string alias, int? length, bool nullable)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", type);
        w.WriteString("alias", alias);
        w.WriteString("sqlType", "sqlTypeOther");
        if (length is int l)
        {
            w.WriteNumber("length", l);
        }

        w.WriteBoolean("nullable", nullable);
        w.WriteBoolean("editable", false);
        w.WriteNull("domain");
        w.WriteNull("defaultValue");
        w.WriteEndObject();
    }

    private static void WriteQuery(Utf8JsonWriter w, Parameters p)
    {
        if (!QueryRequest.TryParse(p, out var query, out var problem))
        {
            WriteError(w, 400, "Unable to perform query operation.", problem);
            return;
        }

        var selected = query.Select();
        w.WriteStartObject();
        if (query.CountOnly || query.ExtentOnly)
        {
            if (query.CountOnly)
            {
                w.WriteNumber("count", selected.All.Count);
            }

            if (query.ExtentOnly)
            {
                var extent = selected.All.Count == 0 ? FullExtent : ExtentOf(selected.All);
                WriteExtent(w, "extent", Project(extent, query.OutWkid), query.OutWkid);
            }

            w.WriteEndObject();
            return;
        }

        if (query.IdsOnly)
        {
            w.WriteString("objectIdFieldName", ObjectIdField);
            w.WriteStartArray("objectIds");
            foreach (var f in selected.All)
            {
                w.WriteNumberValue(f.ObjectId);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        w.WriteString("objectIdFieldName", ObjectIdField);
        w.WriteStartObject("uniqueIdField");
        w.WriteString("name", ObjectIdField);
        w.WriteBoolean("isSystemMaintained", true);
        w.WriteEndObject();
        w.WriteString("globalIdFieldName", "");
        w.WriteString("displayFieldName", NameField);
        w.WriteString("geometryType", "esriGeometryPoint");
        WriteSpatialReference(w, "spatialReference", query.OutWkid);
        w.WriteStartArray("fields");
        foreach (var field in query.OutFields)
        {
            if (field == ObjectIdField)
            {
                WriteField(w, ObjectIdField, "esriFieldTypeOID", "Object ID", length: null, nullable: false);
            }
            else
            {
                WriteField(w, NameField, "esriFieldTypeString", "Name", length: 64, nullable: true);
            }
        }

        w.WriteEndArray();
        if (selected.ExceededTransferLimit)
        {
            w.WriteBoolean("exceededTransferLimit", true);
        }

        w.WriteStartArray("features");
        foreach (var f in selected.Page)
        {
            w.WriteStartObject();
            w.WriteStartObject("attributes");
            WriteAttributes(w, f, query.OutFields);
            w.WriteEndObject();
            if (query.ReturnGeometry)
            {
                var (x, y) = Project(f.Lon, f.Lat, query.OutWkid);
                w.WriteStartObject("geometry");
                w.WriteNumber("x", x);
                w.WriteNumber("y", y);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteGeoJson(Utf8JsonWriter w, Parameters p)
    {
        if (!QueryRequest.TryParse(p, out var query, out var problem))
        {
            WriteError(w, 400, "Unable to perform query operation.", problem);
            return;
        }

        var selected = query.Select();
        w.WriteStartObject();
        if (query.CountOnly)
        {
            // What ArcGIS Server answers for returnCountOnly with f=geojson.
            w.WriteString("type", "FeatureCollection");
            w.WriteStartObject("properties");
            w.WriteNumber("count", selected.All.Count);
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        w.WriteString("type", "FeatureCollection");
        if (selected.ExceededTransferLimit)
        {
            w.WriteStartObject("properties");
            w.WriteBoolean("exceededTransferLimit", true);
            w.WriteEndObject();
        }

        w.WriteStartArray("features");
        foreach (var f in selected.Page)
        {
            w.WriteStartObject();
            w.WriteString("type", "Feature");
            w.WriteNumber("id", f.ObjectId);
            if (query.ReturnGeometry)
            {
                // GeoJSON is WGS84 by definition (RFC 7946); outSR does not apply.
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

            w.WriteStartObject("properties");
            WriteAttributes(w, f, query.OutFields);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter w, DemoFeature f, IReadOnlyList<string> outFields)
    {
        foreach (var field in outFields)
        {
            if (field == ObjectIdField)
            {
                w.WriteNumber(ObjectIdField, f.ObjectId);
            }
            else
            {
                w.WriteString(NameField, f.Name);
            }
        }
    }

    private static void WriteSpatialReference(Utf8JsonWriter w, string name, int wkid)
    {
        w.WriteStartObject(name);
        w.WriteNumber("wkid", wkid);
        w.WriteNumber("latestWkid", wkid == 102100 ? 3857 : wkid);
        w.WriteEndObject();
    }

    private static void WriteExtent(Utf8JsonWriter w, string name, (double XMin, double YMin, double XMax, double YMax) e, int wkid)
    {
        w.WriteStartObject(name);
        w.WriteNumber("xmin", e.XMin);
        w.WriteNumber("ymin", e.YMin);
        w.WriteNumber("xmax", e.XMax);
        w.WriteNumber("ymax", e.YMax);
        WriteSpatialReference(w, "spatialReference", wkid);
        w.WriteEndObject();
    }

    private static void WriteColor(Utf8JsonWriter w, string name, int r, int g, int b, int a)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(r);
        w.WriteNumberValue(g);
        w.WriteNumberValue(b);
        w.WriteNumberValue(a);
        w.WriteEndArray();
    }

    private static (double XMin, double YMin, double XMax, double YMax) ExtentOf(IReadOnlyList<DemoFeature> features)
    {
        var e = (XMin: double.MaxValue, YMin: double.MaxValue, XMax: double.MinValue, YMax: double.MinValue);
        foreach (var f in features)
        {
            e = (Math.Min(e.XMin, f.Lon), Math.Min(e.YMin, f.Lat), Math.Max(e.XMax, f.Lon), Math.Max(e.YMax, f.Lat));
        }

        return e;
    }

    private static (double X, double Y) Project(double lon, double lat, int wkid)
    {
        if (wkid == 4326)
        {
            return (lon, lat);
        }

        // Web Mercator (102100 / 3857), spherical.
        var x = EarthRadius * lon * Math.PI / 180.0;
        var y = EarthRadius * Math.Log(Math.Tan((Math.PI / 4.0) + (lat * Math.PI / 360.0)));
        return (x, y);
    }

    private static (double XMin, double YMin, double XMax, double YMax) Project((double XMin, double YMin, double XMax, double YMax) e, int wkid)
    {
        var (xmin, ymin) = Project(e.XMin, e.YMin, wkid);
        var (xmax, ymax) = Project(e.XMax, e.YMax, wkid);
        return (xmin, ymin, xmax, ymax);
    }

    private sealed record DemoFeature(int ObjectId, string Name, double Lon, double Lat);

    private sealed record Selection(IReadOnlyList<DemoFeature> All, IReadOnlyList<DemoFeature> Page, bool ExceededTransferLimit);

    // Request parameters: the query string, overridden by a form-encoded POST body (ArcGIS clients POST long queries).
    private sealed class Parameters
    {
        private readonly IQueryCollection _query;
        private readonly IFormCollection? _form;

        private Parameters(IQueryCollection query, IFormCollection? form)
        {
            _query = query;
            _form = form;
        }

        public static async Task<Parameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            IFormCollection? form = null;
            if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            {
                // Status499 already read (and cached) the form to look for a token; this reuses it.
                form = await request.ReadFormAsync(cancellationToken);
            }

            return new Parameters(request.Query, form);
        }

        public string? Get(string name)
        {
            if (_form is not null && _form.TryGetValue(name, out var fromForm) && !StringValues.IsNullOrEmpty(fromForm))
            {
                return fromForm.ToString();
            }

            return _query.TryGetValue(name, out var fromQuery) && !StringValues.IsNullOrEmpty(fromQuery) ? fromQuery.ToString() : null;
        }
    }

    private sealed class QueryRequest
    {
        public required IReadOnlyList<string> OutFields { get; init; }

        public required bool ReturnGeometry { get; init; }

        public required bool CountOnly { get; init; }

        public required bool IdsOnly { get; init; }

        public required bool ExtentOnly { get; init; }

        public required int OutWkid { get; init; }

        public required int Offset { get; init; }

        public required int? RecordCount { get; init; }

        public required HashSet<int>? ObjectIds { get; init; }

        public required IReadOnlyList<(string Field, bool Descending)> OrderBy { get; init; }

        public static bool TryParse(Parameters p, out QueryRequest query, out string problem)
        {
            query = null!;
            problem = "";

            var outFields = new List<string>();
            foreach (var raw in (p.Get("outFields") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (raw == "*")
                {
                    outFields = [ObjectIdField, NameField];
                    break;
                }

                var field = CanonicalField(raw);
                if (field is null)
                {
                    problem = $"'outFields' names an unknown field: {raw}";
                    return false;
                }

                if (!outFields.Contains(field))
                {
                    outFields.Add(field);
                }
            }

            if (outFields.Count == 0)
            {
                // Like ArcGIS Server: without outFields, only the object id is returned.
                outFields.Add(ObjectIdField);
            }

            var orderBy = new List<(string, bool)>();
            foreach (var clause in (p.Get("orderByFields") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var field = CanonicalField(parts[0]);
                var direction = parts.Length > 1 ? parts[1].ToUpperInvariant() : "ASC";
                if (field is null || parts.Length > 2 || direction is not ("ASC" or "DESC"))
                {
                    problem = $"'orderByFields' is invalid: {clause}";
                    return false;
                }

                orderBy.Add((field, direction == "DESC"));
            }

            HashSet<int>? objectIds = null;
            if (p.Get("objectIds") is { } ids)
            {
                objectIds = [];
                foreach (var id in ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                    {
                        problem = $"'objectIds' is invalid: {id}";
                        return false;
                    }

                    objectIds.Add(value);
                }
            }

            if (!TryInt(p, "resultOffset", out var offset) || !TryInt(p, "resultRecordCount", out var count) || offset < 0 || count < 0)
            {
                problem = "'resultOffset' and 'resultRecordCount' must be non-negative integers";
                return false;
            }

            if (!TryWkid(p.Get("outSR"), out var wkid))
            {
                problem = $"'outSR' is not supported (4326, 102100 or 3857): {p.Get("outSR")}";
                return false;
            }

            query = new QueryRequest
            {
                OutFields = outFields,
                ReturnGeometry = Bool(p, "returnGeometry", true),
                CountOnly = Bool(p, "returnCountOnly", false),
                IdsOnly = Bool(p, "returnIdsOnly", false),
                ExtentOnly = Bool(p, "returnExtentOnly", false),
                OutWkid = wkid,
                Offset = offset ?? 0,
                RecordCount = count,
                ObjectIds = objectIds,
                OrderBy = orderBy,
            };
            return true;
        }

        // The where clause and any spatial filter are ignored: every query matches all features (or objectIds).
        public Selection Select()
        {
            IEnumerable<DemoFeature> all = Features;
            if (ObjectIds is not null)
            {
                all = all.Where(f => ObjectIds.Contains(f.ObjectId));
            }

            IOrderedEnumerable<DemoFeature>? ordered = null;
            foreach (var (field, descending) in OrderBy)
            {
                Func<DemoFeature, IComparable> key = field == ObjectIdField ? f => f.ObjectId : f => f.Name;
                ordered = ordered is null
                    ? (descending ? all.OrderByDescending(key) : all.OrderBy(key))
                    : (descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key));
            }

            var list = (ordered ?? all).ToList();
            var limit = Math.Min(RecordCount is > 0 ? RecordCount.Value : MaxRecordCount, MaxRecordCount);
            var page = list.Skip(Offset).Take(limit).ToList();
            return new Selection(list, page, Offset + page.Count < list.Count);
        }

        private static string? CanonicalField(string name) =>
            string.Equals(name, ObjectIdField, StringComparison.OrdinalIgnoreCase) ? ObjectIdField
            : string.Equals(name, NameField, StringComparison.OrdinalIgnoreCase) ? NameField
            : null;

        private static bool Bool(Parameters p, string name, bool fallback) =>
            p.Get(name) is { } v ? string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) : fallback;

        private static bool TryInt(Parameters p, string name, out int? value)
        {
            value = null;
            if (p.Get(name) is not { } v)
            {
                return true;
            }

            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        // outSR is a wkid ("4326") or a spatial reference JSON ({"wkid":102100,"latestWkid":3857}).
        private static bool TryWkid(string? value, out int wkid)
        {
            wkid = 4326;
            if (string.IsNullOrWhiteSpace(value))
            {
                return true;
            }

            int parsed;
            if (value.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(value);
                    var root = doc.RootElement;
                    if (!(root.TryGetProperty("wkid", out var id) || root.TryGetProperty("latestWkid", out id)) || !id.TryGetInt32(out parsed))
                    {
                        return false;
                    }
                }
                catch (JsonException)
                {
                    return false;
                }
            }
            else if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out parsed))
            {
                return false;
            }

            wkid = parsed switch
            {
                4326 => 4326,
                102100 or 3857 or 102113 or 900913 => 102100,
                _ => 0,
            };
            return wkid != 0;
        }
    }
}
