using NetTopologySuite.Geometries;

namespace Status499.Demo.FeatureService;

/// <summary>One feature of the demo layer: a point in WGS84 with three attributes.</summary>
internal sealed record DemoPlace(int ObjectId, string Name, string Category, int Opened, double Lon, double Lat)
{
    /// <summary>The place as a geometry, for the spatial filter and the extents.</summary>
    public Point Location { get; } = SpatialReferences.Factory.CreatePoint(new Coordinate(Lon, Lat));

    /// <summary>The value of a field by its canonical name (see <see cref="DemoPlaces.Fields"/>).</summary>
    public object Get(string field) => field switch
    {
        DemoPlaces.ObjectIdField => ObjectId,
        DemoPlaces.NameField => Name,
        DemoPlaces.CategoryField => Category,
        DemoPlaces.OpenedField => Opened,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "unknown field"),
    };
}

/// <summary>A field of the demo layer, as the layer JSON describes it.</summary>
internal sealed record DemoField(string Name, string Type, string Alias, int? Length);

/// <summary>The 12 places of the demo layer, around Redlands, California.</summary>
/// <remarks>
/// Chosen so that the queries GIS clients send give telling subsets, the same ones Koop gives for them:
/// <c>OBJECTID&lt;4</c> → 3, <c>NAME LIKE '%Park%'</c> → 5 (the parks), <c>CATEGORY='Campus'</c> → 2, <c>OPENED&gt;=1950</c> → 4,
/// the envelope <c>-117.20,34.04,-117.19,34.06</c> (west of downtown) → 2 (Esri Campus, Israel Beal Park).
/// </remarks>
internal static class DemoPlaces
{
    public const string ObjectIdField = "OBJECTID";
    public const string NameField = "NAME";
    public const string CategoryField = "CATEGORY";
    public const string OpenedField = "OPENED";

    public static readonly DemoField[] Fields =
    [
        new(ObjectIdField, "esriFieldTypeOID", "Object ID", null),
        new(NameField, "esriFieldTypeString", "Name", 64),
        new(CategoryField, "esriFieldTypeString", "Category", 32),
        new(OpenedField, "esriFieldTypeInteger", "Year opened", null),
    ];

    public static readonly DemoPlace[] All =
    [
        new(1, "Smiley Library", "Library", 1898, -117.1817, 34.0586),
        new(2, "Redlands Bowl", "Venue", 1924, -117.1822, 34.0579),
        new(3, "Kimberly Crest", "Landmark", 1897, -117.1751, 34.0446),
        new(4, "Prospect Park", "Park", 1897, -117.1770, 34.0452),
        new(5, "Redlands Depot", "Transit", 1910, -117.1827, 34.0594),
        new(6, "University of Redlands", "Campus", 1907, -117.1640, 34.0634),
        new(7, "Sylvan Park", "Park", 1920, -117.1709, 34.0620),
        new(8, "Ford Park", "Park", 1960, -117.1520, 34.0530),
        new(9, "Caroline Park", "Park", 1970, -117.1608, 34.0381),
        new(10, "Esri Campus", "Campus", 1969, -117.1956, 34.0572),
        new(11, "Redlands City Hall", "Civic", 1940, -117.1845, 34.0560),
        new(12, "Israel Beal Park", "Park", 1985, -117.1990, 34.0480),
    ];

    /// <summary>The WGS84 box around <paramref name="places"/>; a null envelope (<see cref="Envelope.IsNull"/>) for none.</summary>
    public static Envelope ExtentOf(IEnumerable<DemoPlace> places) =>
        SpatialReferences.Factory.CreateMultiPoint([.. places.Select(p => p.Location)]).EnvelopeInternal;

    /// <summary>The canonical field name for a name in any case, or null for an unknown field.</summary>
    public static DemoField? FindField(string name)
    {
        foreach (var field in Fields)
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return field;
            }
        }

        return null;
    }
}
