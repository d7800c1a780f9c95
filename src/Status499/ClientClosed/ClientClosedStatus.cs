using Microsoft.AspNetCore.Http;

namespace Status499.ClientClosed;

// What a client that left means for the response: in which phase it left, and whether the request is answered 499.
internal static class ClientClosedStatus
{
    // abortedBeforeStart: the first write found the client gone and already set 499 (ClientClosedResponseBody).
    // requestBodyLost: the abort came from a read of the request body. inTokenCheck: the client left during the token
    // check (its form read or the validator), so no endpoint ran and nothing else owns the status. leftInQueue: the
    // client left while the request waited in UseRateLimiter()'s queue, which then returned without calling next.
    public static ClientDisconnectPhase Record(HttpContext context, Status499Meaning meaning, bool abortedBeforeStart, bool requestBodyLost, bool inTokenCheck, bool leftInQueue)
    {
        var response = context.Response;
        var phase = PhaseOf(context, abortedBeforeStart, requestBodyLost, leftInQueue);

        // On a TokenRequired route an endpoint's status stands (there a 499 means Token Required); a client that left
        // during the token check or in the queue is recorded as 499 like any other, since no endpoint answered.
        var record499 = meaning == Status499Meaning.ClientClosedRequest || inTokenCheck || phase == ClientDisconnectPhase.Queued;
        if (phase == ClientDisconnectPhase.RequestBody)
        {
            ClientAbort.EndLostRequestBody(context, record499);
        }
        else if ((phase is ClientDisconnectPhase.Handler or ClientDisconnectPhase.Queued) && record499 && !response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }

        return phase;
    }

    public static ClientDisconnectPhase PhaseOf(HttpContext context, bool abortedBeforeStart, bool requestBodyLost, bool leftInQueue = false)
        => abortedBeforeStart ? ClientDisconnectPhase.Handler
            : context.Response.HasStarted ? ClientDisconnectPhase.Response
            : requestBodyLost ? ClientDisconnectPhase.RequestBody
            : leftInQueue ? ClientDisconnectPhase.Queued
            : ClientDisconnectPhase.Handler;
}
