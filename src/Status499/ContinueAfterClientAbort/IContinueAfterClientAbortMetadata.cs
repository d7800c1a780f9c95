namespace Status499;

/// <summary>
/// Endpoint metadata that lets an endpoint finish its work when the client disconnects (like nginx's
/// <c>proxy_ignore_client_abort on</c>): <c>HttpContext.RequestAborted</c> does not fire for the disconnect, but
/// still fires on server shutdown, on a <c>UseRequestTimeouts()</c> timeout, and when <see cref="Maximum"/> has
/// passed since the client left. When an endpoint carries several (a route group and the endpoint, or a controller
/// and an action), the last one, the most specific, wins; endpoint metadata wins over
/// <c>Status499Options.ContinueAfterClientAbort</c> patterns.
/// </summary>
/// <remarks>
/// Implemented by <see cref="ContinueAfterClientAbortAttribute"/> and the <c>ContinueAfterClientAbort</c> endpoint
/// convention. The request is still recorded as client-closed (499 when nothing was sent yet).
/// </remarks>
public interface IContinueAfterClientAbortMetadata
{
    /// <summary>
    /// How long the work may go on after the client left before <c>RequestAborted</c> fires after all; <c>null</c>
    /// for <see cref="Status499Options.DefaultContinueAfterClientAbortMaximum"/>. Never more than
    /// <see cref="Status499Options.ContinueAfterClientAbortLimit"/>.
    /// </summary>
    TimeSpan? Maximum { get; }
}
