using Status499;
using Status499.ContinueAfterClientAbort;

namespace Microsoft.AspNetCore.Builder;

// The ContinueAfterClientAbort() convention, kept with its feature; the meaning conventions of the same class are in
// Meanings/Status499EndpointConventionBuilderExtensions.cs.
public static partial class Status499EndpointConventionBuilderExtensions
{
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
