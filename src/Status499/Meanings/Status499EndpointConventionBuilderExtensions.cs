using Status499;
using Status499.ContinueAfterClientAbort;
using Status499.Meanings;
using Status499.Pipeline;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Endpoint conventions that choose the <see cref="Status499Meaning"/> of endpoints and route groups.
/// </summary>
public static class Status499EndpointConventionBuilderExtensions
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
            // Without AddStatus499() nothing would enforce the token: refuse to build the endpoint instead.
            if (meaning == Status499Meaning.TokenRequired && endpoint.ApplicationServices.GetService(typeof(Status499PipelineHandshake)) is null)
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

    /// <summary>
    /// Lets the endpoints finish their work when the client disconnects (like nginx's
    /// <c>proxy_ignore_client_abort on</c>), for payments, writes and idempotent jobs that must not stop halfway:
    /// <c>HttpContext.RequestAborted</c> does not fire for the disconnect, but still fires on server shutdown
    /// (<c>IHostApplicationLifetime.ApplicationStopping</c>), on a <c>UseRequestTimeouts()</c> timeout, and
    /// <paramref name="maximum"/> after the client left. The request is still recorded as client-closed (499 when
    /// nothing was sent yet, with the work done after the client left). Applied to a route group it covers every
    /// endpoint of the group; the most specific declaration wins.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="maximum">
    /// How long the work may go on after the client left; <c>null</c> for
    /// <see cref="Status499Options.DefaultContinueAfterClientAbortMaximum"/> (30 seconds). Must be positive; never
    /// more than <see cref="Status499Options.ContinueAfterClientAbortLimit"/>.
    /// </param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder ContinueAfterClientAbort<TBuilder>(this TBuilder builder, TimeSpan? maximum = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (maximum is { } value && (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentOutOfRangeException(nameof(maximum), value, "The maximum must be a positive time span, or null for the default.");
        }

        var metadata = maximum is null ? ContinueAfterClientAbortMetadata.Default : new ContinueAfterClientAbortMetadata(maximum);
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
