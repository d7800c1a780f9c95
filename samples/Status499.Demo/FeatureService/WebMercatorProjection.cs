using NetTopologySuite.Geometries;

namespace Status499.Demo.FeatureService;

/// <summary>Spherical ("pseudo") Mercator, the projection of web maps, applied to every coordinate of a geometry: WGS84
/// degrees to metres (<see cref="Forward"/>) or back (<see cref="Inverse"/>).</summary>
/// <remarks>
/// EPSG 3857 (Esri 102100): the Mercator formulas on a sphere of the WGS84 semi-major axis, EPSG method 1024 ("Popular
/// Visualisation Pseudo Mercator", EPSG Guidance Note 7-2). NetTopologySuite has no projections; ProjNET has this one
/// (<c>ProjectedCoordinateSystem.WebMercator</c>) but is LGPL-licensed and a full engine for one closed formula each
/// way, so the demo applies the formula through NTS's own hook, <see cref="ICoordinateSequenceFilter"/>.
/// </remarks>
internal sealed class WebMercatorProjection : ICoordinateSequenceFilter
{
    private const double EarthRadius = 6378137.0;

    private readonly bool _inverse;

    private WebMercatorProjection(bool inverse) => _inverse = inverse;

    /// <summary>WGS84 longitude/latitude in degrees to Web Mercator x/y in metres.</summary>
    public static WebMercatorProjection Forward { get; } = new(inverse: false);

    /// <summary>Web Mercator x/y in metres to WGS84 longitude/latitude in degrees.</summary>
    public static WebMercatorProjection Inverse { get; } = new(inverse: true);

    public bool Done => false;

    public bool GeometryChanged => true;

    /// <summary>A projected copy of <paramref name="geometry"/>.</summary>
    public Geometry Project(Geometry geometry)
    {
        var copy = geometry.Copy();
        copy.Apply(this);
        return copy;
    }

    public void Filter(CoordinateSequence seq, int i)
    {
        var (x, y) = (seq.GetX(i), seq.GetY(i));
        if (_inverse)
        {
            seq.SetX(i, x / EarthRadius * 180.0 / Math.PI);
            seq.SetY(i, ((2.0 * Math.Atan(Math.Exp(y / EarthRadius))) - (Math.PI / 2.0)) * 180.0 / Math.PI);
        }
        else
        {
            seq.SetX(i, EarthRadius * x * Math.PI / 180.0);
            seq.SetY(i, EarthRadius * Math.Log(Math.Tan((Math.PI / 4.0) + (y * Math.PI / 360.0))));
        }
    }
}
