namespace Status499;

/// <summary>
/// Leaves an MVC controller or action alone (<see cref="Status499Meaning.None"/>), for example a streaming action
/// that handles disconnects itself.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class DisableStatus499Attribute : Status499MeaningAttribute
{
    /// <summary>Creates the attribute.</summary>
    public DisableStatus499Attribute()
        : base(Status499Meaning.None)
    {
    }
}
