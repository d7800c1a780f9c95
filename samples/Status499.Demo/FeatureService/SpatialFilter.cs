using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;

namespace Status499.Demo.FeatureService;

/// <summary>The <c>geometry</c> of a query (an envelope, a point or a polygon, read from ArcGIS JSON and held in WGS84) and
/// the <c>spatialRel</c> a feature must satisfy with it.</summary>
/// <remarks>
/// Intersects-like relations only: <c>esriSpatialRelIntersects</c> and <c>Within</c> (the demo's features are points, for
/// which the two differ only on the boundary) test the geometry itself, <c>EnvelopeIntersects</c> and <c>IndexIntersects</c>
/// its bounding box; the others are refused. The predicates are NetTopologySuite's.
/// Geometry JSON: https://developers.arcgis.com/rest/services-reference/enterprise/geometry-objects/.
/// </remarks>
internal sealed class SpatialFilter
{
    private readonly Geometry _geometry;

    private SpatialFilter(Geometry geometry) => _geometry = geometry;

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
        if (!TryRead(geometry, geometryType ?? "esriGeometryEnvelope", inWkid, out var shape, ref problem))
        {
            return false;
        }

        var wgs84 = SpatialReferences.ToWgs84(shape.Geometry, shape.Wkid);
        filter = new SpatialFilter(spatialRel is "esriSpatialRelEnvelopeIntersects" or "esriSpatialRelIndexIntersects"
            ? SpatialReferences.Factory.ToGeometry(wgs84.EnvelopeInternal)
            : wgs84);
        return true;
    }

    public bool Matches(DemoPlace place) => _geometry.Intersects(place.Location);

    // The geometry as given, in its own spatial reference (inSR, else the JSON's spatialReference, else WGS84).
    private static bool TryRead(string text, string type, int? inWkid, out (Geometry Geometry, int Wkid) shape, ref string problem)
    {
        shape = default;
        var factory = SpatialReferences.Factory;
        if (!text.TrimStart().StartsWith('{'))
        {
            // The simple syntax: "xmin,ymin,xmax,ymax" for an envelope, "x,y" for a point.
            var numbers = text.Split(',', StringSplitOptions.TrimEntries);
            var values = new double[numbers.Length];
            for (var i = 0; i < numbers.Length; i++)
            {
                if (!double.TryParse(numbers[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    return false;
                }
            }

            Geometry? simple = (type, values.Length) switch
            {
                ("esriGeometryEnvelope", 4) => factory.ToGeometry(new Envelope(values[0], values[2], values[1], values[3])),
                ("esriGeometryPoint", 2) => factory.CreatePoint(new Coordinate(values[0], values[1])),
                _ => null,
            };
            if (simple is null)
            {
                return false;
            }

            shape = (simple, inWkid ?? SpatialReferences.Wgs84);
            return true;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var wkid = inWkid;
            if (wkid is null && root.TryGetProperty("spatialReference", out var sr) && !SpatialReferences.TryWkid(sr, out wkid))
            {
                problem = "'inSR' parameter is invalid (4326, 102100 or 3857)";
                return false;
            }

            Geometry? read = type switch
            {
                "esriGeometryEnvelope" => factory.ToGeometry(new Envelope(Number(root, "xmin"), Number(root, "xmax"), Number(root, "ymin"), Number(root, "ymax"))),
                "esriGeometryPoint" => factory.CreatePoint(new Coordinate(Number(root, "x"), Number(root, "y"))),
                "esriGeometryPolygon" => Polygon(root),
                _ => null,
            };
            if (read is null)
            {
                return false;
            }

            shape = (read, wkid ?? SpatialReferences.Wgs84);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException or ArgumentException or TopologyException)
        {
            return false;
        }
    }

    // ArcGIS polygons are a list of rings, outer ones clockwise and holes counter-clockwise; taken with the even-odd rule
    // (the symmetric difference of the rings), a hole falls out whatever its orientation. GeometryFixer repairs a ring
    // that crosses itself, as a hand-drawn one may.
    private static Geometry? Polygon(JsonElement root)
    {
        var factory = SpatialReferences.Factory;
        Geometry? area = null;
        foreach (var ring in root.GetProperty("rings").EnumerateArray())
        {
            var points = ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble())).ToList();
            if (points.Count > 0 && !points[0].Equals2D(points[^1]))
            {
                points.Add(points[0].Copy());
            }

            var polygon = GeometryFixer.Fix(factory.CreatePolygon([.. points]));
            area = area is null ? polygon : area.SymmetricDifference(polygon);
        }

        return area;
    }

    private static double Number(JsonElement root, string name) => root.GetProperty(name).GetDouble();
}
