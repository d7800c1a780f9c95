namespace Status499.ClientClosed;

// What is known about a request that ended early, gathered by TerminationProbe for TerminationClassifier.
internal struct TerminationEvidence
{
    // The app called HttpContext.Abort() (RequestLifetimeRecorder), not Status499 itself.
    public bool AbortedByApplication;

    // Status499 aborted the request itself for a client that left mid-body (ClientAbort.EndLostRequestBody): Kestrel's
    // "aborted by the application" is then ours, not the app's.
    public bool AbortedForClient;

    // UseRequestTimeouts() fired (IHttpRequestTimeoutFeature.RequestTimeoutToken).
    public bool RequestTimedOut;

    // The exception that reached UseStatus499(), if any.
    public Exception? Exception;

    // What Kestrel's request body reader rethrows once Kestrel aborted the request (HttpProtocol.PoisonBody).
    public Exception? Poison;

    // How the connection's input ended, read on plaintext HTTP/1.x only.
    public TransportEnd Transport;

    public Exception? TransportError;

    public bool ApplicationStopping;

    // The token the client's departure cancels (ClientAbort.ClientAborted) is cancelled.
    public bool ClientTokenCancelled;
}

internal enum TransportEnd
{
    // Not read, or still open.
    Unknown,

    // The client closed its side (FIN).
    Completed,

    // Completed with an error: a reset, or the server's own abort.
    Failed,
}
