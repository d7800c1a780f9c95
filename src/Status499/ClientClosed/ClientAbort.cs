using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Hosting;
using Status499.ContinueAfterClientAbort;

namespace Status499.ClientClosed;

// The one definition of "the client is gone", and of what to do when a read of the request body ends because the
// client left or stalled. Used by the middleware, the token check (its form read) and generateToken: a second copy
// would drift, and each copy that differed was a bug (a reset read as an unreadable form, a stall logged as an Error).
internal sealed class ClientAbort
{
    // How long a failed body read may wait for RequestAborted to confirm that the client left.
    internal static readonly TimeSpan RequestBodyAbortGracePeriod = TimeSpan.FromMilliseconds(500);

    private readonly CancellationToken _applicationStopping;

    public ClientAbort(IHostApplicationLifetime lifetime) => _applicationStopping = lifetime.ApplicationStopping;

    public CancellationToken ApplicationStopping => _applicationStopping;

    // The token the client's departure cancels. On a ContinueAfterClientAbort route HttpContext.RequestAborted is a
    // token that deliberately ignores the client, so the truth is read from behind it. One feature lookup, as
    // HttpContext.RequestAborted itself does.
    public static CancellationToken ClientAborted(HttpContext context) => ClientAborted(context.Features.Get<IHttpRequestLifetimeFeature>());

    private static CancellationToken ClientAborted(IHttpRequestLifetimeFeature? feature) => feature switch
    {
        ContinueAfterClientAbortLifetime continued => continued.ClientAborted,
        { } lifetime => lifetime.RequestAborted,
        null => default,
    };

    // The exceptions a client abort produces. Compare the state of RequestAborted, not
    // OperationCanceledException.CancellationToken: handlers often pass a linked token (dotnet/aspnetcore#44697).
    // Kestrel's BadHttpRequestException and ConnectionResetException are IOExceptions.
    public static bool IsAbortException(Exception ex) => ex is OperationCanceledException or IOException;

    // The request was aborted by the client, not by a server-side timeout or by shutdown:
    // - UseRequestTimeouts() links its timeout into RequestAborted and answers 504 (dotnet/aspnetcore#52295), so a
    //   fired IHttpRequestTimeoutFeature.RequestTimeoutToken means "server gave up", not "client left".
    // - Graceful shutdown aborts the requests still running when the shutdown timeout ends.
    // - The app's own HttpContext.Abort() cancels RequestAborted too (RequestLifetimeRecorder saw it).
    public bool IsClientAbort(HttpContext context)
    {
        var lifetime = context.Features.Get<IHttpRequestLifetimeFeature>();
        if (lifetime is RequestLifetimeRecorder { AbortedByApplication: true }
            || !ClientAborted(lifetime).IsCancellationRequested
            || _applicationStopping.IsCancellationRequested)
        {
            return false;
        }

        var timeout = context.Features.Get<IHttpRequestTimeoutFeature>();
        return timeout is null || !timeout.RequestTimeoutToken.IsCancellationRequested;
    }

    // Whether ex, thrown while serving context, means the client went away. Completes synchronously unless a failed
    // body read has to wait for RequestAborted to confirm it.
    public ValueTask<bool> IsClientGoneAsync(Exception ex, HttpContext context)
    {
        if (!IsAbortException(ex))
        {
            return new(false);
        }

        if (IsClientAbort(context) || IsClientLeaving(ex))
        {
            return new(true);
        }

        return ConfirmRequestBodyAbortAsync(ex, context);
    }

    // Kestrel refused the request body for the client's doing: 408 when it arrived too slowly (MinRequestBodyDataRate),
    // 413 over MaxRequestBodySize, 400 for broken framing. Call after IsClientGoneAsync said no.
    public static bool IsRejectedRequestBody(Exception ex, [NotNullWhen(true)] out BadHttpRequestException? rejection)
    {
        rejection = ex as BadHttpRequestException;
        return rejection is not null;
    }

    // A stalled body: the one rejection the middleware takes over from an endpoint, because it can only be the
    // client's doing. Other BadHttpRequestExceptions an endpoint throws are left to it and to the framework.
    public static bool IsRequestBodyTimeout(Exception ex, [NotNullWhen(true)] out BadHttpRequestException? rejection)
    {
        rejection = ex as BadHttpRequestException;
        return rejection?.StatusCode == StatusCodes.Status408RequestTimeout;
    }

    // Answers Kestrel's own status instead of rethrowing: rethrown, Kestrel logs "An unhandled exception was thrown by
    // the application" as an Error, and sets the status only after every middleware has logged 200
    // (HttpProtocol.ProcessRequests catches BadHttpRequestException after the application returns). Answered here,
    // every observer sees the status the client gets. The body cannot be read any further, so the connection closes.
    public static void AnswerRejectedRequestBody(HttpContext context, BadHttpRequestException rejection)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            AbortForClient(context);
            return;
        }

        response.Clear();
        response.StatusCode = rejection.StatusCode;
        response.Headers.Connection = "close";
    }

    // A read of the request body failed because the client left. Records 499 when nothing was sent yet (pass false
    // where an endpoint's own status must stand), and aborts the connection: once the exception is swallowed, Kestrel
    // believes the app finished normally and drains the body, which fails on a reader the reset left mid-read and logs
    // an Error ("automatic draining of the request body failed ... Reading is already in progress", see
    // Http1ContentLengthMessageBody.VerifyIsNotReading). Aborted, Kestrel knows there is nothing to drain.
    public static void EndLostRequestBody(HttpContext context, bool record499 = true)
    {
        if (record499 && !context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }

        AbortForClient(context);
    }

    // Status499's own aborts, for the client's doing: not recorded as the app's (RequestLifetimeRecorder).
    private static void AbortForClient(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestLifetimeFeature>() is RequestLifetimeRecorder recorder && recorder.Inner is not null)
        {
            recorder.AbortForClient();
            return;
        }

        context.Abort();
    }

    // Kestrel's exception itself can say that the client left (TerminationClassifier): ConnectionResetException only
    // when the transport reports that the peer reset the connection, "Unexpected end of request content" when it closed
    // its side mid-body, an HTTP/2 stream reset. RequestAborted (cancelled on the thread pool) may not say so yet: the
    // chaos test found a busy thread pool delaying it past any reasonable wait.
    private bool IsClientLeaving(Exception ex)
        => TerminationClassifier.FromException(ex).IsClient() && !_applicationStopping.IsCancellationRequested;

    // A 400 of another text (a framing error) can still come with the client leaving: Kestrel marks the connection
    // aborted at once, but cancels an already-created RequestAborted token on the thread pool
    // (HttpProtocol.AbortRequest), so the token can still read "not cancelled" when the exception arrives. Give it a
    // bounded moment. A genuinely malformed body never cancels the token: it is answered 400, only that much later.
    // 408 and 413 come from Kestrel's own limits, never from a disconnect: no wait.
    private async ValueTask<bool> ConfirmRequestBodyAbortAsync(Exception ex, HttpContext context)
    {
        if (ex is not BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest }
            || context.Response.HasStarted
            || _applicationStopping.IsCancellationRequested)
        {
            return false;
        }

        var aborted = ClientAborted(context);
        if (!aborted.CanBeCanceled)
        {
            return false;
        }

        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (aborted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), cancelled))
        {
            await Task.WhenAny(cancelled.Task, Task.Delay(RequestBodyAbortGracePeriod));
        }

        return IsClientAbort(context);
    }
}
