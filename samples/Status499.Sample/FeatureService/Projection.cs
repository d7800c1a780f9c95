namespace Status499.Sample.FeatureService;

/// <summary>WGS84 (4326) and spherical Web Mercator (102100 = 3857), the two spatial references web maps use.</summary>
internal static class Projection
{
    private const double EarthRadius = 6378137.0;

    public static (double X, double Y) FromWgs84(double lon, double lat, int wkid)
    {
        if (wkid == 4326)
        {
            return (lon, lat);
        }

        var x = EarthRadius * lon * Math.PI / 180.0;
        var y = EarthRadius * Math.Log(Math.Tan((Math.PI / 4.0) + (lat * Math.PI / 360.0)));
        return (x, y);
    }

    public static (double Lon, double Lat) ToWgs84(double x, double y, int wkid)
    {
        if (wkid == 4326)
        {
            return (x, y);
        }

        var lon = x / EarthRadius * 180.0 / Math.PI;
        var lat = ((2.0 * Math.Atan(Math.Exp(y / EarthRadius))) - (Math.PI / 2.0)) * 180.0 / Math.PI;
        return (lon, lat);
    }
}
