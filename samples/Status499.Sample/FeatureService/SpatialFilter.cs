using System.Globalization;
using System.Text.Json;

namespace Status499.Sample.FeatureService;

/// <summary>The <c>geometry</c> of a query: an envelope, a point or a polygon, in WGS84, that a feature must intersect.</summary>
/// <remarks>
/// The demo features are points, so every intersects-like relation (<c>esriSpatialRelIntersects</c>,
/// <c>EnvelopeIntersects</c>, <c>IndexIntersects</c>, <c>Within</c>) comes down to "the point lies in the geometry";
/// the others are refused. Geometry JSON: https://developers.arcgis.com/rest/services-reference/enterprise/geometry-objects/.
/// </remarks>
internal sealed class SpatialFilter
{
    private readonly Envelope _box;
    private readonly List<(double X, double Y)[]>? _rings;

    private SpatialFilter(Envelope box, List<(double X, double Y)[]>? rings)
    {
        _box = box;
        _rings = rings;
    }

    public static bool TryParse(string? geometry, string? geometryType, string? spatialRel, int? inWkid, out SpatialFilter? filter, out string problem)
    {
        filter = null;
        problem = "";
        if (string.IsNullOrWhiteSpace(geometry))
        {
            return true;
        }

        if (spatialRel is not (null or "esriSpatialRelIntersects" or "esriSpatialRelEnvelopeIntersects" or "esriSpatialRelIndexIntersects" or "esriSpatialRelWithin"))
        {
            problem = "'spatialRel' parameter is invalid";
            return false;
        }

        problem = "'geometry' parameter is invalid";
        var type = geometryType ?? "esriGeometryEnvelope";
        if (!geometry.TrimStart().StartsWith('{'))
        {
            // The simple syntax: "xmin,ymin,xmax,ymax" for an envelope, "x,y" for a point.
            var numbers = geometry.Split(',', StringSplitOptions.TrimEntries);
            var values = new double[numbers.Length];
            for (var i = 0; i < numbers.Length; i++)
            {
                if (!double.TryParse(numbers[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    return false;
                }
            }

            var wkid = inWkid ?? 4326;
            if (type == "esriGeometryEnvelope" && values.Length == 4)
            {
                filter = new SpatialFilter(Envelope.Of(wkid, values[0], values[1], values[2], values[3]), null);
                return true;
            }

            if (type == "esriGeometryPoint" && values.Length == 2)
            {
                filter = new SpatialFilter(Envelope.Of(wkid, values[0], values[1], values[0], values[1]), null);
                return true;
            }

            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(geometry);
            var root = doc.RootElement;
            var wkid = inWkid;
            if (wkid is null && root.TryGetProperty("spatialReference", out var sr))
            {
                if (!FeatureQuery.TryWkid(sr, out wkid))
                {
                    problem = "'inSR' parameter is invalid (4326, 102100 or 3857)";
                    return false;
                }
            }

            filter = type switch
            {
                "esriGeometryEnvelope" => new SpatialFilter(
                    Envelope.Of(wkid ?? 4326, Number(root, "xmin"), Number(root, "ymin"), Number(root, "xmax"), Number(root, "ymax")), null),
                "esriGeometryPoint" => new SpatialFilter(
                    Envelope.Of(wkid ?? 4326, Number(root, "x"), Number(root, "y"), Number(root, "x"), Number(root, "y")), null),
                "esriGeometryPolygon" => Polygon(root, wkid ?? 4326),
                _ => null,
            };
            return filter is not null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    public bool Matches(DemoPlace place)
    {
        if (!_box.Contains(place.Lon, place.Lat))
        {
            return false;
        }

        if (_rings is null)
        {
            return true;
        }

        // Even-odd rule over all rings: holes, drawn as inner rings, fall out by themselves.
        var inside = false;
        foreach (var ring in _rings)
        {
            for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
            {
                var (xi, yi) = ring[i];
                var (xj, yj) = ring[j];
                if ((yi > place.Lat) != (yj > place.Lat) && place.Lon < ((xj - xi) * (place.Lat - yi) / (yj - yi)) + xi)
                {
                    inside = !inside;
                }
            }
        }

        return inside;
    }

    private static SpatialFilter? Polygon(JsonElement root, int wkid)
    {
        var rings = new List<(double X, double Y)[]>();
        var box = Envelope.Empty;
        foreach (var ring in root.GetProperty("rings").EnumerateArray())
        {
            var points = new List<(double, double)>();
            foreach (var point in ring.EnumerateArray())
            {
                var (lon, lat) = Projection.ToWgs84(point[0].GetDouble(), point[1].GetDouble(), wkid);
                points.Add((lon, lat));
                box = box.Include(lon, lat);
            }

            rings.Add([.. points]);
        }

        return rings.Count == 0 ? null : new SpatialFilter(box, rings);
    }

    private static double Number(JsonElement root, string name) => root.GetProperty(name).GetDouble();
}
