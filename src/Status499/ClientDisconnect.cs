namespace Status499;

/// <summary>Whether, and when, the client of a request went away.</summary>
public enum ClientDisconnect
{
    /// <summary>The client stayed (as far as the server could tell when the pipeline returned).</summary>
    None = 0,

    /// <summary>
    /// The client left before the response started: on <see cref="Status499Meaning.ClientClosedRequest"/> routes
    /// the request is recorded as 499.
    /// </summary>
    BeforeResponse = 1,

    /// <summary>The client left after the response headers were sent: the status that was sent is kept.</summary>
    DuringResponse = 2,
}
