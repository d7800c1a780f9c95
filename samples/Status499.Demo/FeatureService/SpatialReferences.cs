using System.Globalization;
using System.Text.Json;
using NetTopologySuite;
using NetTopologySuite.Geometries;

namespace Status499.Demo.FeatureService;

/// <summary>The two spatial references the service speaks: WGS84 (4326), in which the places are kept and compared, and
/// Web Mercator (102100 = 3857), in which web maps send and ask for coordinates.</summary>
internal static class SpatialReferences
{
    public const int Wgs84 = 4326;

    public const int WebMercator = 102100;

    /// <summary>Builds every geometry of the service, in WGS84, with NTS's robust overlay (OverlayNG) for polygons.</summary>
    public static GeometryFactory Factory { get; } = new NtsGeometryServices(GeometryOverlay.NG).CreateGeometryFactory(Wgs84);

    /// <summary><paramref name="geometry"/>, given in <paramref name="wkid"/>, in WGS84.</summary>
    public static Geometry ToWgs84(Geometry geometry, int wkid) =>
        wkid == Wgs84 ? geometry : WebMercatorProjection.Inverse.Project(geometry);

    /// <summary>A WGS84 <paramref name="geometry"/> in the coordinates of <paramref name="wkid"/>.</summary>
    public static Geometry FromWgs84(Geometry geometry, int wkid) =>
        wkid == Wgs84 ? geometry : WebMercatorProjection.Forward.Project(geometry);

    /// <summary>A WGS84 box in the coordinates of <paramref name="wkid"/> (Web Mercator keeps boxes boxes: x depends on
    /// longitude only, y on latitude only).</summary>
    public static Envelope FromWgs84(Envelope envelope, int wkid) =>
        envelope.IsNull || wkid == Wgs84 ? envelope : FromWgs84(Factory.ToGeometry(envelope), wkid).EnvelopeInternal;

    /// <summary>A wkid ("4326") or a spatial reference JSON (<c>{"wkid":102100,"latestWkid":3857}</c>), normalised to 4326 or 102100.</summary>
    public static bool TryWkid(string? value, out int? wkid)
    {
        wkid = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (value.TrimStart().StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(value);
                return TryWkid(doc.RootElement, out wkid);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        wkid = Normalize(parsed);
        return wkid is not null;
    }

    public static bool TryWkid(JsonElement spatialReference, out int? wkid)
    {
        wkid = null;
        if (spatialReference.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var name in (ReadOnlySpan<string>)["latestWkid", "wkid"])
        {
            if (spatialReference.TryGetProperty(name, out var id) && id.TryGetInt32(out var parsed) && Normalize(parsed) is { } known)
            {
                wkid = known;
                return true;
            }
        }

        return false;
    }

    private static int? Normalize(int wkid) => wkid switch
    {
        Wgs84 => Wgs84,
        WebMercator or 3857 or 102113 or 900913 => WebMercator,
        _ => null,
    };
}
