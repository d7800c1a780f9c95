using Yarp.ReverseProxy.Forwarder;

namespace Status499.Gateway;

// Runs in YARP's proxy pipeline, around its forwarder, and reads what it reported (IForwarderErrorFeature). YARP's
// HttpForwarder (src/ReverseProxy/Forwarder/HttpForwarder.cs, HandleRequestFailureAsync) answers a call whose client
// left with RequestCanceled and status 400, because RequestAborted was cancelled: that is the client's doing, recorded
// here as 499 as nginx would (Envoy's DC). A destination that failed (Request, *Destination, ResponseHeaders: 502), timed
// out (RequestTimedOut: 504) or is missing (NoAvailableDestinations: 503) keeps YARP's status (Envoy's UF/UT) and gets
// an ArcGIS error body (GatewayErrorBody).
internal static class ForwarderErrorHandling
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        await next();

        var error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        if (error == ForwarderError.None || context.Response.HasStarted)
        {
            // Nothing went wrong, or the answer is already on its way and its status cannot change.
            return;
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            // Whatever YARP reported (RequestCanceled, *Client, *Canceled), nobody is waiting for an answer any more.
            // UseStatus499() counts the client-closed request once and, on a token route, leaves the status to the
            // endpoint: this is that status.
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return;
        }

        if (IsUpstreamFailure(error))
        {
            await WriteErrorBodyAsync(context);
        }
    }

    // The destination's side (YARP's own statuses 502, 503, 504). The rest (*Client while the client is still there: a
    // malformed or stalled body, 400 or 408) are the client's faults and keep YARP's status and empty body.
    internal static bool IsUpstreamFailure(ForwarderError error) => error is
        ForwarderError.Request or
        ForwarderError.RequestCreation or
        ForwarderError.RequestTimedOut or
        ForwarderError.RequestCanceled or // cancelled by the gateway itself (shutting down), not by the client: 502
        ForwarderError.RequestBodyDestination or
        ForwarderError.ResponseHeaders or
        ForwarderError.NoAvailableDestinations;

    private static Task WriteErrorBodyAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (message, detail) = status switch
        {
            StatusCodes.Status504GatewayTimeout => ("Gateway Timeout", "The service behind the gateway did not answer in time."),
            StatusCodes.Status503ServiceUnavailable => ("Service Unavailable", "No instance of the service behind the gateway is available."),
            // The gateway's own sign-in at the service failed (UpstreamTokenCache, UpstreamTokenHandler): say so, since
            // the service itself may be up.
            _ when context.Features.Get<IForwarderErrorFeature>()?.Exception is UpstreamSignInException signIn => ("Bad Gateway", signIn.ClientDetail),
            _ => ("Bad Gateway", "The service behind the gateway could not be reached."),
        };

        return GatewayErrorBody.WriteAsync(context, status, message, detail);
    }
}
