namespace Status499;

/// <summary>
/// Which of the two real-world meanings of HTTP 499 applies to a route.
/// </summary>
public enum Status499Meaning
{
    /// <summary>
    /// The library leaves the request alone: no status rewriting, no token check, no signals.
    /// Use it for streaming endpoints, long polls or anything that handles disconnects itself.
    /// </summary>
    None = 0,

    /// <summary>
    /// The nginx meaning, 499 Client Closed Request: a request whose client went away before the response
    /// started is recorded as 499 by every outer observer (logs, metrics, traces).
    /// </summary>
    ClientClosedRequest = 1,

    /// <summary>
    /// The ArcGIS Server meaning, 499 Token Required: the request must carry a valid token; a missing one is
    /// answered with the ArcGIS error body (code 499), an invalid one with 498, a forbidden one with 403.
    /// </summary>
    TokenRequired = 2,
}
