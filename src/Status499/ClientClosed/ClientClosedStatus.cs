using Microsoft.AspNetCore.Http;

namespace Status499.ClientClosed;

// What a client that left means for the response: in which phase it left, and whether the request is answered 499.
internal static class ClientClosedStatus
{
    // abortedBeforeStart: the first write found the client gone and already set 499 (ClientClosedResponseBody).
    // requestBodyLost: the abort came from a read of the request body. inTokenCheck: the client left during the token
    // check (its form read or the validator), so no endpoint ran and nothing else owns the status.
    public static ClientDisconnectPhase Record(HttpContext context, Status499Meaning meaning, bool abortedBeforeStart, bool requestBodyLost, bool inTokenCheck)
    {
        var response = context.Response;
        var phase = PhaseOf(context, abortedBeforeStart, requestBodyLost);

        // On a TokenRequired route an endpoint's status stands (there a 499 means Token Required); a client that left
        // during the token check is recorded as 499 like any other, since no endpoint answered.
        var record499 = meaning == Status499Meaning.ClientClosedRequest || inTokenCheck;
        if (phase == ClientDisconnectPhase.RequestBody)
        {
            ClientAbort.EndLostRequestBody(context, record499);
        }
        else if (phase == ClientDisconnectPhase.Handler && record499 && !response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }

        return phase;
    }

    public static ClientDisconnectPhase PhaseOf(HttpContext context, bool abortedBeforeStart, bool requestBodyLost)
        => abortedBeforeStart ? ClientDisconnectPhase.Handler
            : context.Response.HasStarted ? ClientDisconnectPhase.Response
            : requestBodyLost ? ClientDisconnectPhase.RequestBody
            : ClientDisconnectPhase.Handler;
}
