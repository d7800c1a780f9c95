using Status499;
using Status499.Meanings;
using Status499.Pipeline;

namespace Microsoft.AspNetCore.Builder;

// Each feature keeps its own conventions: the meanings here, ContinueAfterClientAbort() in the ContinueAfterClientAbort
// folder.

/// <summary>
/// Endpoint conventions that choose the <see cref="Status499Meaning"/> of endpoints and route groups, and let them
/// continue after client abort.
/// </summary>
public static partial class Status499EndpointConventionBuilderExtensions
{
    /// <summary>
    /// Sets the <see cref="Status499Meaning"/> of the endpoints built by <paramref name="builder"/>. Applied to a
    /// route group it covers every endpoint of the group that does not set its own.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="meaning">The meaning to use.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder WithStatus499Meaning<TBuilder>(this TBuilder builder, Status499Meaning meaning)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var metadata = Status499MeaningMetadata.For(meaning);
        builder.Add(endpoint =>
        {
            // Without AddStatus499() nothing would enforce the token: refuse to build the endpoint instead. Some
            // endpoint sources (YARP's MapReverseProxy()) build endpoints with EndpointBuilder's empty provider, which
            // cannot answer: there the startup check of UseStatus499() and the TokenRouteGuard stand in.
            var services = endpoint.ApplicationServices;
            if (meaning == Status499Meaning.TokenRequired
                && services.GetService(typeof(IServiceProvider)) is not null
                && services.GetService(typeof(Status499PipelineHandshake)) is null)
            {
                throw new InvalidOperationException(TokenRouteGuard.ServicesMissingMessage);
            }

            endpoint.Metadata.Add(metadata);
        });

        return builder;
    }

    /// <summary>
    /// Leaves the endpoints alone (<see cref="Status499Meaning.None"/>): no 499 rewriting, no token check, no
    /// signals. Use it for streaming endpoints, long polls and WebSocket-like endpoints that handle disconnects themselves.
    /// Being the most specific setting, it also lifts the token protection of a route group or a <c>MapRoute</c> pattern.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder DisableStatus499<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithStatus499Meaning(Status499Meaning.None);

    /// <summary>
    /// Protects the endpoints with ArcGIS-style token validation (<see cref="Status499Meaning.TokenRequired"/>):
    /// no token is answered with 499 Token Required, a bad one with 498 Invalid Token, a forbidden one with 403.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder RequireToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithStatus499Meaning(Status499Meaning.TokenRequired);
}
