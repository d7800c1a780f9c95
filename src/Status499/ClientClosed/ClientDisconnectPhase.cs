namespace Status499.ClientClosed;

/// <summary>What the server was doing when the client went away.</summary>
public enum ClientDisconnectPhase
{
    /// <summary>The client did not go away.</summary>
    None = 0,

    /// <summary>Reading the request body (the read failed with an I/O error or <c>BadHttpRequestException</c>).</summary>
    RequestBody = 1,

    /// <summary>Running the handler, before the response started.</summary>
    Handler = 2,

    /// <summary>Sending the response, after the headers went out.</summary>
    Response = 3,

    /// <summary>
    /// Waiting in ASP.NET Core's rate limiter queue (<c>UseRateLimiter()</c> with a queue), before the endpoint ran.
    /// </summary>
    Queued = 4,
}
