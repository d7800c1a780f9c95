namespace Status499;

/// <summary>
/// Protects an MVC controller or action with ArcGIS-style token validation
/// (<see cref="Status499Meaning.TokenRequired"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequireTokenAttribute : Status499MeaningAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RequireTokenAttribute()
        : base(Status499Meaning.TokenRequired)
    {
    }
}
