using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;

namespace Status499.ClientClosed;

// Reads what Kestrel knows about a request that ended early (docs/design/termination.md §2, §4.3). Every probe runs
// only once the request is known to have ended early, or for the response probe, on a long started response: never
// on the hot path of a short completed request.
internal static class TerminationProbe
{
    // Kestrel's HttpContext.Features is the server's HttpProtocol itself, which implements the body features: cast to
    // reach Kestrel's own even when middleware replaced the ones in the collection (compression, HttpLogging, ours).
    public static TerminationEvidence Gather(
        HttpContext context, RequestLifetimeRecorder lifetime, bool abortedByApplication, Exception? exception, bool applicationStopping)
    {
        var evidence = new TerminationEvidence
        {
            AbortedByApplication = abortedByApplication || lifetime.AbortedByApplication,
            AbortedForClient = lifetime.AbortedForClient,
            RequestTimedOut = lifetime.TimedOut
                || context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true,
            Exception = exception,
            ApplicationStopping = applicationStopping,
            ClientTokenCancelled = ClientAbort.ClientAborted(context).IsCancellationRequested,
        };
        if (evidence.AbortedByApplication
            || evidence.RequestTimedOut
            || TerminationClassifier.FromEvidence(exception, evidence.AbortedForClient) != RequestTermination.None)
        {
            return evidence;
        }

        evidence.Poison = Poison(context);
        if (TerminationClassifier.FromEvidence(evidence.Poison, evidence.AbortedForClient) == RequestTermination.None)
        {
            ReadTransport(context, ref evidence);
        }

        return evidence;
    }

    // Once Kestrel aborted the request (HttpProtocol.PoisonBody, HTTP/1.1 server aborts and every HTTP/2 stream abort),
    // every call on its request body reader rethrows the abort's exception, whose message says why.
    public static Exception? Poison(HttpContext context)
    {
        if (context.Features is not IRequestBodyPipeFeature body)
        {
            return null;
        }

        try
        {
            var reader = body.Reader;
            if (reader.TryRead(out var result))
            {
                reader.AdvanceTo(result.Buffer.Start);
            }
        }
        catch (Exception ex)
        {
            return ex;
        }

        return null;
    }

    // HTTP/1.x over plaintext: the client's FIN or RST leaves no trace at the HTTP level, but the connection's input,
    // which Kestrel does not read while the app runs, was completed by the socket transport with nothing (FIN),
    // ConnectionResetException (RST) or the server's own abort reason (SocketConnection.DoReceive, Shutdown). Over TLS
    // the input is the TLS layer's, and tells nothing. HTTP/2 reads its connection input all along: never touched.
    private static void ReadTransport(HttpContext context, ref TerminationEvidence evidence)
    {
        var protocol = context.Request.Protocol;
        if (!(HttpProtocol.IsHttp11(protocol) || HttpProtocol.IsHttp10(protocol))
            || context.Features.Get<ITlsConnectionFeature>() is not null
            || context.Features.Get<IConnectionTransportFeature>()?.Transport?.Input is not { } input)
        {
            return;
        }

        try
        {
            if (input.TryRead(out var result))
            {
                var completed = result.IsCompleted;
                input.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
                if (completed)
                {
                    evidence.Transport = TransportEnd.Completed;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A read in progress (the app still reads the body): nothing to learn here.
        }
        catch (Exception ex)
        {
            evidence.Transport = TransportEnd.Failed;
            evidence.TransportError = ex;
        }
    }

    // A zero-byte flush on Kestrel's own response writer completes at once with IsCompleted once the server cut the
    // response (Http1OutputProducer._pipeWriterCompleted, Http2OutputProducer._completeScheduled), which is the only
    // sign of a MinResponseDataRate cut when the app's writes all returned normally (Kestrel never throws from a write,
    // and RequestAborted may never fire once the last Content-Length byte was written). Only for a started response:
    // on one not started it would start it. Pending while the output is back-pressured but alive.
    public static ValueTask<FlushResult> FlushResponse(HttpContext context)
    {
        if (context.Features is not IHttpResponseBodyFeature body)
        {
            return default;
        }

        try
        {
            return body.Writer.FlushAsync();
        }
        catch (InvalidOperationException)
        {
            // HTTP/2 after the response's end was sent: nothing was cut.
            return default;
        }
    }
}
