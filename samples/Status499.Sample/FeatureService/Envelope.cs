namespace Status499.Sample.FeatureService;

/// <summary>An axis-aligned box in WGS84 degrees (or, for output, in the coordinates of another spatial reference).</summary>
internal readonly record struct Envelope(double XMin, double YMin, double XMax, double YMax)
{
    public static Envelope Empty { get; } = new(double.MaxValue, double.MaxValue, double.MinValue, double.MinValue);

    public bool IsEmpty => XMin > XMax || YMin > YMax;

    /// <summary>The WGS84 box of two corners given in <paramref name="wkid"/>, in either order.</summary>
    public static Envelope Of(int wkid, double x1, double y1, double x2, double y2)
    {
        var (lon1, lat1) = Projection.ToWgs84(x1, y1, wkid);
        var (lon2, lat2) = Projection.ToWgs84(x2, y2, wkid);
        return new(Math.Min(lon1, lon2), Math.Min(lat1, lat2), Math.Max(lon1, lon2), Math.Max(lat1, lat2));
    }

    public static Envelope Around(IEnumerable<DemoPlace> places)
    {
        var box = Empty;
        foreach (var p in places)
        {
            box = box.Include(p.Lon, p.Lat);
        }

        return box;
    }

    public Envelope Include(double x, double y) => new(Math.Min(XMin, x), Math.Min(YMin, y), Math.Max(XMax, x), Math.Max(YMax, y));

    public bool Contains(double x, double y) => x >= XMin && x <= XMax && y >= YMin && y <= YMax;

    /// <summary>This WGS84 box in the coordinates of <paramref name="wkid"/>.</summary>
    public Envelope Project(int wkid)
    {
        var (xmin, ymin) = Projection.FromWgs84(XMin, YMin, wkid);
        var (xmax, ymax) = Projection.FromWgs84(XMax, YMax, wkid);
        return new(xmin, ymin, xmax, ymax);
    }
}
