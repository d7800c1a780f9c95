using Status499.ClientClosed;
using Status499.Tokens;

namespace Status499;

/// <summary>
/// What Status499 decided for the current request. Set on <c>HttpContext.Features</c> by <c>UseStatus499()</c> for
/// every request whose meaning is not <see cref="Status499Meaning.None"/> (and that is not a WebSocket/upgrade
/// request); absent otherwise. Outer middleware can read it after the pipeline returns.
/// </summary>
/// <remarks>
/// The instance may be reused for the next request on the same connection: read it during the request, do not keep it.
/// </remarks>
public interface IStatus499Feature
{
    /// <summary>The meaning resolved for this request.</summary>
    Status499Meaning Meaning { get; }

    /// <summary>
    /// When the client went away, or <see cref="ClientDisconnectPhase.None"/> if it stayed. Before the response started
    /// (<see cref="ClientDisconnectPhase.RequestBody"/>, <see cref="ClientDisconnectPhase.Handler"/>) a client-closed
    /// route records 499; during the response (<see cref="ClientDisconnectPhase.Response"/>) the status sent is kept.
    /// </summary>
    ClientDisconnectPhase DisconnectPhase { get; }

    /// <summary>
    /// The result of token validation on <see cref="Status499Meaning.TokenRequired"/> routes; otherwise
    /// <see cref="TokenOutcome.NotChecked"/>.
    /// </summary>
    TokenOutcome TokenOutcome { get; }

    /// <summary>Where the token was found, or <see cref="TokenSource.None"/>.</summary>
    TokenSource TokenSource { get; }

    /// <summary>
    /// Whether the request's work was declared to go on when the client leaves (<c>ContinueAfterClientAbort()</c>,
    /// <see cref="ContinueAfterClientAbortAttribute"/> or a <c>Status499Options.ContinueAfterClientAbort</c> pattern):
    /// then <c>HttpContext.RequestAborted</c> does not fire for a disconnect, and a client that left is still recorded
    /// in <see cref="DisconnectPhase"/>. Set once the endpoint runs (after a passed token check).
    /// </summary>
    bool ContinuesAfterClientAbort { get; }

    /// <summary>
    /// Who ended the request and how when it did not complete normally, or <see cref="RequestTermination.None"/>.
    /// Set when the request ends early: by the client (a 499 on client-closed routes) or by the server (the request
    /// keeps its true status).
    /// </summary>
    RequestTermination Termination { get; }

    /// <summary>
    /// How long the request waited in ASP.NET Core's rate limiter queue, or <see langword="null"/> if it did not wait
    /// in one (or <c>UseStatus499()</c> does not stand before <c>UseRateLimiter()</c>, or a middleware between them
    /// went asynchronous before calling the next one). Set when the wait ends, whether the request then ran or its
    /// client had left (<see cref="ClientDisconnectPhase.Queued"/>).
    /// </summary>
    TimeSpan? QueueWait { get; }
}
