namespace Status499.ClientClosed;

/// <summary>
/// Who ended a request that did not complete normally, and how: the <c>status499.termination</c> value of the
/// metrics, logs and traces, in the spirit of HAProxy's termination state and Envoy's response flags. Only the
/// client's own leaving (<see cref="ClientClosed"/>, <see cref="ClientReset"/>, <see cref="ClientAborted"/>,
/// <see cref="ClientStreamReset"/>) is a 499 Client Closed Request; the other values are endings the server chose,
/// which keep their true status.
/// </summary>
public enum RequestTermination
{
    /// <summary>The request completed normally, or has not ended yet.</summary>
    None = 0,

    /// <summary>The client closed the connection (a TCP FIN; the end of an HTTP/2 connection). Tag value <c>client_closed</c>.</summary>
    ClientClosed = 1,

    /// <summary>The client reset the TCP connection (RST). Tag value <c>client_reset</c>.</summary>
    ClientReset = 2,

    /// <summary>
    /// The client went away and the runtime does not tell whether it closed or reset the connection (HTTP/1.1 over TLS
    /// once the request body was read). Tag value <c>client_aborted</c>.
    /// </summary>
    ClientAborted = 3,

    /// <summary>The client reset the request's HTTP/2 or HTTP/3 stream (RST_STREAM), the connection stays. Tag value <c>client_stream_reset</c>.</summary>
    ClientStreamReset = 4,

    /// <summary>
    /// The server cut a client that sent the request body or read the response slower than Kestrel's
    /// <c>MinRequestBodyDataRate</c> or <c>MinResponseDataRate</c>. Tag value <c>client_too_slow</c>.
    /// </summary>
    ClientTooSlow = 5,

    /// <summary>The request was still running when the graceful shutdown timed out. Tag value <c>server_shutdown</c>.</summary>
    ServerShutdown = 6,

    /// <summary>A server-side request timeout (<c>UseRequestTimeouts()</c>) ended the request. Tag value <c>request_timeout</c>.</summary>
    RequestTimeout = 7,

    /// <summary>The application aborted the request (<c>HttpContext.Abort()</c>, an HTTP/2 or HTTP/3 stream reset). Tag value <c>application_abort</c>.</summary>
    ApplicationAbort = 8,

    /// <summary>Kestrel timed the connection out (<c>IConnectionTimeoutFeature</c>, a drain timeout). Tag value <c>server_timeout</c>.</summary>
    ServerTimeout = 9,

    /// <summary>The client broke the HTTP/2 or HTTP/3 protocol and the server closed the connection. Tag value <c>protocol_error</c>.</summary>
    ProtocolError = 10,
}
