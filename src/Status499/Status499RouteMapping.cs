namespace Status499;

/// <summary>A route pattern and the meaning it gives to matching requests (see <see cref="Status499Options.MapRoute"/>).</summary>
public sealed class Status499RouteMapping
{
    internal Status499RouteMapping(string routePattern, Status499Meaning meaning, string source)
    {
        RoutePattern = routePattern;
        Meaning = meaning;
        Source = source;
    }

    /// <summary>The ASP.NET Core route template.</summary>
    public string RoutePattern { get; }

    /// <summary>The meaning for matching requests.</summary>
    public Status499Meaning Meaning { get; }

    // Where the mapping came from (a configuration key or the MapRoute call), for error messages.
    internal string Source { get; }
}
