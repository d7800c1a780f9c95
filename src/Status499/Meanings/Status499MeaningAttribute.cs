namespace Status499;

/// <summary>
/// Chooses the <see cref="Status499Meaning"/> of an MVC controller or action (or any endpoint that reads attributes).
/// An attribute on an action overrides one on its controller.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public class Status499MeaningAttribute : Attribute, IStatus499MeaningMetadata
{
    /// <summary>Creates the attribute for <paramref name="meaning"/>.</summary>
    /// <param name="meaning">The meaning for the annotated controller or action.</param>
    public Status499MeaningAttribute(Status499Meaning meaning)
    {
        if (!Enum.IsDefined(meaning))
        {
            throw new ArgumentOutOfRangeException(nameof(meaning), meaning, "Unknown Status499Meaning.");
        }

        Meaning = meaning;
    }

    /// <inheritdoc />
    public Status499Meaning Meaning { get; }
}
