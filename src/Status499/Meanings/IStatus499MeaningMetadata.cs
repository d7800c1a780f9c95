namespace Status499;

/// <summary>
/// Endpoint metadata that chooses the <see cref="Status499Meaning"/> of an endpoint. When an endpoint carries
/// several (a route group and the endpoint, or a controller and an action), the last one, the most specific, wins.
/// </summary>
/// <remarks>
/// Implemented by <see cref="Status499MeaningAttribute"/>, <see cref="DisableStatus499Attribute"/>,
/// <see cref="RequireTokenAttribute"/> and the endpoint conventions in
/// <c>Status499EndpointConventionBuilderExtensions</c>.
/// </remarks>
public interface IStatus499MeaningMetadata
{
    /// <summary>The meaning that applies to the endpoint.</summary>
    Status499Meaning Meaning { get; }
}
