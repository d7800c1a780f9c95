namespace Status499.Sample;

/// <summary>An in-memory ArcGIS-like feature service under /arcgis/rest/services/Demo/FeatureServer.</summary>
public static class DemoFeatureService
{
    /// <summary>Maps the demo feature service endpoints.</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapDemoFeatureService(this IEndpointRouteBuilder app) => app;
}
