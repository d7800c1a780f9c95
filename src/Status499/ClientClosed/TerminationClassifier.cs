using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Status499.ClientClosed;

// Who ended a request that ended early (docs/design/termination.md §4.2). Pure: the probes (TerminationProbe) gather
// the evidence, this decides, first match wins, so that the rules can be tested one by one without a server.
internal static class TerminationClassifier
{
    public static RequestTermination Classify(in TerminationEvidence evidence)
    {
        // The app's own Abort() is the cause even though Kestrel then also cancels RequestAborted.
        if (evidence.AbortedByApplication)
        {
            return RequestTermination.ApplicationAbort;
        }

        if (evidence.RequestTimedOut)
        {
            return RequestTermination.RequestTimeout;
        }

        var termination = FromEvidence(evidence.Exception, evidence.AbortedForClient);
        if (termination == RequestTermination.None)
        {
            termination = FromEvidence(evidence.Poison, evidence.AbortedForClient);
        }

        if (termination == RequestTermination.None)
        {
            termination = evidence.Transport switch
            {
                TransportEnd.Failed => FromEvidence(evidence.TransportError, evidence.AbortedForClient),
                TransportEnd.Completed => RequestTermination.ClientClosed,
                _ => RequestTermination.None,
            };
        }

        if (termination != RequestTermination.None)
        {
            return termination;
        }

        // Nothing below HTTP tells (HTTP/1.1 over TLS): shutdown had begun, or else the client went, FIN or RST unknown.
        if (evidence.ApplicationStopping)
        {
            return RequestTermination.ServerShutdown;
        }

        return evidence.ClientTokenCancelled ? RequestTermination.ClientAborted : RequestTermination.None;
    }

    public static RequestTermination FromEvidence(Exception? exception, bool abortedForClient)
    {
        var termination = FromException(exception);
        return termination == RequestTermination.ApplicationAbort && abortedForClient ? RequestTermination.None : termination;
    }

    // Walks the exception and its inner exceptions. A specific reason anywhere in the chain wins over the generic "the
    // HTTP/2 connection ended" of the outer ones (an HTTP/2 stream's poison is IOException → ConnectionAbortedException
    // → the connection's own reason).
    public static RequestTermination FromException(Exception? exception)
    {
        var generic = RequestTermination.None;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ConnectionResetException:
                    return RequestTermination.ClientReset;
                case BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout }:
                    return RequestTermination.ClientTooSlow;
            }

            // Kestrel's internal Http2ConnectionErrorException / Http3ConnectionErrorException: the name is all there is.
            var typeName = e.GetType().Name;
            if (typeName is "Http2ConnectionErrorException" or "Http3ConnectionErrorException")
            {
                return RequestTermination.ProtocolError;
            }

            var message = e.Message;
            switch (message)
            {
                case KestrelAbortMessages.ResponseMinimumDataRate:
                case KestrelAbortMessages.RequestBodyTimeout:
                    return RequestTermination.ClientTooSlow;
                case KestrelAbortMessages.ServerShutdown:
                    return RequestTermination.ServerShutdown;
                case KestrelAbortMessages.AbortedByApplication:
                    return RequestTermination.ApplicationAbort;
                case KestrelAbortMessages.TimedOutByServer:
                    return RequestTermination.ServerTimeout;
                case KestrelAbortMessages.StreamResetByClient:
                    return RequestTermination.ClientStreamReset;
                case KestrelAbortMessages.AbortedByClient:
                case KestrelAbortMessages.UnexpectedEndOfRequestContent:
                case KestrelAbortMessages.Http2ConnectionFaulted:
                    generic = RequestTermination.ClientClosed;
                    continue;
            }

            if (message.StartsWith(KestrelAbortMessages.Http2StreamResetByApplicationPrefix, StringComparison.Ordinal)
                || message.StartsWith(KestrelAbortMessages.Http3StreamResetByApplicationPrefix, StringComparison.Ordinal))
            {
                return RequestTermination.ApplicationAbort;
            }
        }

        return generic;
    }

    // Only the client's own leaving is a 499 Client Closed Request.
    public static bool IsClient(this RequestTermination termination) => termination
        is RequestTermination.ClientClosed
        or RequestTermination.ClientReset
        or RequestTermination.ClientAborted
        or RequestTermination.ClientStreamReset;
}
