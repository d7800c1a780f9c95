using System.Globalization;

namespace Status499.Demo.FeatureService;

/// <summary>The parameters of a layer <c>query</c> request, parsed and checked, and the features they select.</summary>
/// <remarks>
/// Reference: https://developers.arcgis.com/rest/services-reference/enterprise/query-feature-service-layer/.
/// Supported: <c>where</c>, <c>objectIds</c>, <c>geometry</c> (envelope, point or polygon; JSON or <c>xmin,ymin,xmax,ymax</c>)
/// with <c>geometryType</c>, <c>inSR</c> and an intersects-like <c>spatialRel</c>, <c>outFields</c>, <c>returnGeometry</c>,
/// <c>outSR</c>, <c>orderByFields</c>, <c>resultOffset</c>/<c>resultRecordCount</c>, <c>returnIdsOnly</c>,
/// <c>returnCountOnly</c>, <c>returnExtentOnly</c>. Spatial references: 4326 and Web Mercator (102100/3857).
/// </remarks>
internal sealed class FeatureQuery
{
    public const int MaxRecordCount = 1000;

    public required WhereClause Where { get; init; }

    public required HashSet<int>? ObjectIds { get; init; }

    public required SpatialFilter? Geometry { get; init; }

    public required IReadOnlyList<DemoField> OutFields { get; init; }

    public required bool ReturnGeometry { get; init; }

    public required bool IdsOnly { get; init; }

    public required bool CountOnly { get; init; }

    public required bool ExtentOnly { get; init; }

    public required int OutWkid { get; init; }

    public required int Offset { get; init; }

    public required int? RecordCount { get; init; }

    public required IReadOnlyList<(string Field, bool Descending)> OrderBy { get; init; }

    /// <summary>Parses the request; on failure <paramref name="problem"/> is ArcGIS's detail line, e.g. "'where' parameter is invalid".</summary>
    public static bool TryParse(QueryParameters p, out FeatureQuery query, out string problem)
    {
        query = null!;
        if (!WhereClause.TryParse(p.Get("where"), out var where, out _))
        {
            problem = "'where' parameter is invalid";
            return false;
        }

        if (!TryOutFields(p.Get("outFields"), out var outFields))
        {
            problem = "'outFields' parameter is invalid";
            return false;
        }

        if (!TryOrderBy(p.Get("orderByFields"), out var orderBy))
        {
            problem = "'orderByFields' parameter is invalid";
            return false;
        }

        if (!TryObjectIds(p.Get("objectIds"), out var objectIds))
        {
            problem = "'objectIds' parameter is invalid";
            return false;
        }

        if (!SpatialReferences.TryWkid(p.Get("inSR"), out var inWkid) || !SpatialReferences.TryWkid(p.Get("outSR"), out var outWkid))
        {
            problem = "'inSR' or 'outSR' parameter is invalid (4326, 102100 or 3857)";
            return false;
        }

        if (!SpatialFilter.TryParse(p.Get("geometry"), p.Get("geometryType"), p.Get("spatialRel"), inWkid, out var geometry, out problem))
        {
            return false;
        }

        if (!TryCount(p.Get("resultOffset"), out var offset) || !TryCount(p.Get("resultRecordCount"), out var count))
        {
            problem = "'resultOffset' and 'resultRecordCount' must be non-negative integers";
            return false;
        }

        query = new FeatureQuery
        {
            Where = where,
            ObjectIds = objectIds,
            Geometry = geometry,
            OutFields = outFields,
            ReturnGeometry = Bool(p.Get("returnGeometry"), true),
            IdsOnly = Bool(p.Get("returnIdsOnly"), false),
            CountOnly = Bool(p.Get("returnCountOnly"), false),
            ExtentOnly = Bool(p.Get("returnExtentOnly"), false),
            OutWkid = outWkid ?? SpatialReferences.Wgs84,
            Offset = offset ?? 0,
            RecordCount = count,
            OrderBy = orderBy,
        };
        problem = "";
        return true;
    }

    /// <summary>Every feature the filters select, in order, and the page of them to return.</summary>
    public (List<DemoPlace> All, List<DemoPlace> Page, bool ExceededTransferLimit) Select()
    {
        IEnumerable<DemoPlace> selected = DemoPlaces.All.Where(f =>
            (ObjectIds is null || ObjectIds.Contains(f.ObjectId)) && Where.Matches(f) && (Geometry is null || Geometry.Matches(f)));

        IOrderedEnumerable<DemoPlace>? ordered = null;
        foreach (var (field, descending) in OrderBy)
        {
            Func<DemoPlace, object> key = f => f.Get(field);
            ordered = ordered is null
                ? (descending ? selected.OrderByDescending(key) : selected.OrderBy(key))
                : (descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key));
        }

        var all = (ordered ?? selected).ToList();
        var limit = Math.Min(RecordCount is > 0 ? RecordCount.Value : MaxRecordCount, MaxRecordCount);
        var page = all.Skip(Offset).Take(limit).ToList();
        return (all, page, Offset + page.Count < all.Count);
    }

    private static bool TryOutFields(string? value, out IReadOnlyList<DemoField> fields)
    {
        var list = new List<DemoField>();
        fields = list;
        foreach (var raw in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "*")
            {
                fields = DemoPlaces.Fields;
                return true;
            }

            if (DemoPlaces.FindField(raw) is not { } field)
            {
                return false;
            }

            if (!list.Contains(field))
            {
                list.Add(field);
            }
        }

        if (list.Count == 0)
        {
            // As ArcGIS Server: without outFields only the object id is returned.
            list.Add(DemoPlaces.Fields[0]);
        }

        return true;
    }

    private static bool TryOrderBy(string? value, out IReadOnlyList<(string, bool)> orderBy)
    {
        var list = new List<(string, bool)>();
        orderBy = list;
        foreach (var clause in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var direction = parts.Length > 1 ? parts[1].ToUpperInvariant() : "ASC";
            if (DemoPlaces.FindField(parts[0]) is not { } field || parts.Length > 2 || direction is not ("ASC" or "DESC"))
            {
                return false;
            }

            list.Add((field.Name, direction == "DESC"));
        }

        return true;
    }

    private static bool TryObjectIds(string? value, out HashSet<int>? ids)
    {
        ids = null;
        if (value is null)
        {
            return true;
        }

        ids = [];
        foreach (var id in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            ids.Add(parsed);
        }

        return true;
    }

    private static bool TryCount(string? value, out int? count)
    {
        count = null;
        if (value is null)
        {
            return true;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0)
        {
            count = parsed;
            return true;
        }

        return false;
    }

    private static bool Bool(string? value, bool fallback) =>
        value is null ? fallback : string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
