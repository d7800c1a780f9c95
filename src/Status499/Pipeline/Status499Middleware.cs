using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Status499.ClientClosed;
using Status499.ContinueAfterClientAbort;
using Status499.Diagnostics;
using Status499.Meanings;
using Status499.Tokens;

namespace Status499.Pipeline;

/// <summary>
/// Resolves each request's <see cref="Status499Meaning"/>, records client-closed requests as 499 for every outer
/// observer, and validates tokens on token-protected routes. Added by <c>app.UseStatus499()</c>.
/// </summary>
/// <remarks>
/// A request goes: resolve its meaning; rent its context (<see cref="Status499RequestContext"/>) and start the
/// client-left clock; on a token route, check the token (<see cref="TokenRequestHandler"/>), which may end the request;
/// run the rest of the pipeline; then, if the client left, record it (<see cref="ClientClosedStatus"/>,
/// <see cref="ClientClosedSignals"/>). Completed requests take the synchronous path and allocate nothing.
/// </remarks>
internal sealed class Status499Middleware
{
    // Started responses that lasted longer are probed for a cut by the server (TerminationProbe.FlushResponse).
    private static readonly TimeSpan ResponseCutProbeAfter = TimeSpan.FromSeconds(1);

    private readonly RequestDelegate _next;
    private readonly MeaningResolver _meanings;
    private readonly ContinueAfterClientAbortResolver _continuation;
    private readonly TokenRequestHandler _tokens;
    private readonly ClientAbort _clientAbort;
    private readonly ClientClosedSignals _signals;
    private readonly RateLimiterOrderCheck _rateLimiterOrder;

    // True when the TokenRouteGuard, in front of the whole pipeline, releases every request context when the response
    // completes (Status499PipelineHandshake); otherwise each request registers that itself.
    private readonly bool _releasedByGuard;

    public Status499Middleware(
        RequestDelegate next,
        MeaningResolver meanings,
        ContinueAfterClientAbortResolver continuation,
        TokenRequestHandler tokens,
        ClientAbort clientAbort,
        ClientClosedSignals signals,
        RateLimiterOrderCheck rateLimiterOrder,
        bool releasedByGuard)
    {
        _next = next;
        _meanings = meanings;
        _continuation = continuation;
        _tokens = tokens;
        _clientAbort = clientAbort;
        _signals = signals;
        _rateLimiterOrder = rateLimiterOrder;
        _releasedByGuard = releasedByGuard;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var meaning = _meanings.Resolve(context);

        // Already served by another UseStatus499() earlier in the pipeline: both would share one context.
        if (meaning == Status499Meaning.None || context.Features.Get<IStatus499Feature>() is not null)
        {
            return _next(context);
        }

        _rateLimiterOrder.Check();

        // WebSocket and other upgraded requests are long-lived streams that end with a disconnect by design: no 499
        // tracking. On token routes they still need a valid token.
        var upgrade = IsUpgradeRequest(context);
        if (upgrade && meaning == Status499Meaning.ClientClosedRequest)
        {
            return _next(context);
        }

        var request = Status499RequestContextPool.Rent(context, meaning, this, registerRelease: !_releasedByGuard);
        if (!upgrade)
        {
            request.ClientLeft.Start(context.RequestAborted);
            request.Lifetime.Install(context);
        }

        if (meaning == Status499Meaning.ClientClosedRequest)
        {
            request.ResponseBody.Wrap(context, _clientAbort);
            return InvokeNext(request);
        }

        var check = _tokens.HandleAsync(context, request.BeginTokenCheck());
        return check.IsCompletedSuccessfully ? AfterTokenCheck(request, check.Result, upgrade) : AwaitTokenCheck(check, request, upgrade);
    }

    private async Task AwaitTokenCheck(ValueTask<TokenCheckResult> pending, Status499RequestContext request, bool upgrade)
    {
        TokenCheckResult check;
        try
        {
            check = await pending;
        }
        catch
        {
            Finish(request);
            throw;
        }

        await AfterTokenCheck(request, check, upgrade);
    }

    private Task AfterTokenCheck(Status499RequestContext request, TokenCheckResult check, bool upgrade)
    {
        if (check != TokenCheckResult.Passed)
        {
            request.ClientLeft.Stop();
            RecordTokenCheckEnd(request, check);
            Finish(request);
            return Task.CompletedTask;
        }

        if (upgrade)
        {
            // Nothing more to record for an upgraded request: the context stays the feature's until OnCompleted.
            var context = request.HttpContext;
            Status499RequestContextPool.Release(request);
            return _next(context);
        }

        return InvokeNext(request);
    }

    private Task InvokeNext(Status499RequestContext request)
    {
        var context = request.HttpContext;
        Task task;

        // The rate limiter's queue, if the request waits in it, is entered inside this call (RateLimiterQueueObserver).
        var outer = RateLimiterQueueObserver.Enter(request);
        try
        {
            // ContinueAfterClientAbort: a declared route runs behind a RequestAborted that ignores the client
            // (ContinueAfterClientAbortLifetime.cs); every other request goes straight on, allocating nothing.
            task = _continuation.Resolve(context) is { } maximum
                ? ContinueAfterClientAbortLifetime.RunAsync(_next, context, request.ContinuedWork, maximum, _clientAbort.ApplicationStopping)
                : _next(context);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        RateLimiterQueueObserver.Exit(outer);
        if (task.IsCompletedSuccessfully)
        {
            return Completed(request);
        }

        request.PendingNext = task;
        return AwaitNext(request);
    }

    // Every request whose handler really awaits pays for this method's box, so it holds only what the common case
    // needs: static, one parameter (the context carries the pending task and this middleware), one awaiter type, and
    // no try/catch (SuppressThrowing), so neither an exception local nor a second awaiter type is hoisted into it. The
    // box is then no bigger than the one of a middleware that only does `await next(context)` (docs/benchmarks.md);
    // an instance method would add `this`. The failure handling is OnNextFailedAsync's, paid only then.
    private static async Task AwaitNext(Status499RequestContext request)
    {
        await request.PendingNext!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var task = request.PendingNext!;
        request.PendingNext = null;
        if (!task.IsCompletedSuccessfully)
        {
            await request.Middleware.OnNextFailedAsync(task, request).ConfigureAwait(ConfigureAwaitOptions.None);
            return;
        }

        if (request.ResponseCompleted)
        {
            // Nobody awaits this request any more (see Status499RequestContextPool): nothing to record.
            Finish(request);
            return;
        }

        await request.Middleware.Completed(request).ConfigureAwait(ConfigureAwaitOptions.None);
    }

    // The rest of the pipeline returned normally. A request that ended early is recorded all the same: a handler that
    // ignored RequestAborted still "succeeds" into a closed connection, and Kestrel's writes never throw once it cut
    // the response. A completed request costs a few flag reads here and stays synchronous, allocating nothing.
    private Task Completed(Status499RequestContext request)
    {
        request.ClientLeft.Stop();
        request.ResponseBody.Unwrap();
        var context = request.HttpContext;
        var lifetime = request.Lifetime;
        if (ClientAbort.ClientAborted(context).IsCancellationRequested
            || lifetime.AbortedByApplication
            || lifetime.TimedOut
            || request.ContinuedWork.AbortedByApplication)
        {
            var termination = ClassifyAsync(request, exception: null, responseCut: false);
            if (!termination.IsCompletedSuccessfully)
            {
                return RecordWhenClassifiedAsync(request, termination);
            }

            RecordEnded(request, termination.Result);
        }
        else if (context.Response.HasStarted && Stopwatch.GetElapsedTime(request.StartTimestamp) > ResponseCutProbeAfter)
        {
            // Kestrel's minimum data rates cannot cut a request sooner than its grace period, which must exceed the
            // heartbeat's 1 s (MinDataRate's constructor): shorter requests never pay for the probe.
            var flush = TerminationProbe.FlushResponse(context);
            if (!flush.IsCompletedSuccessfully)
            {
                return ProbeCutResponseAsync(request, flush);
            }

            if (flush.Result.IsCompleted)
            {
                return RecordWhenClassifiedAsync(request, ClassifyAsync(request, exception: null, responseCut: true));
            }
        }

        // The clock is stopped and the body put back above (before recording): Finish would do both again on every
        // completed request.
        lifetime.Uninstall();
        Status499RequestContextPool.Release(request);
        return Task.CompletedTask;
    }

    // Rare paths of Completed: the response output may be dead, or the reason of an early end is not known yet.
    private async Task RecordWhenClassifiedAsync(Status499RequestContext request, ValueTask<RequestTermination> termination)
    {
        try
        {
            RecordEnded(request, await termination);
        }
        finally
        {
            request.Lifetime.Uninstall();
            Status499RequestContextPool.Release(request);
        }
    }

    private async Task ProbeCutResponseAsync(Status499RequestContext request, ValueTask<FlushResult> flush)
    {
        try
        {
            bool cut;
            try
            {
                cut = (await flush).IsCompleted;
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
            {
                cut = false;
            }

            if (cut)
            {
                RecordEnded(request, await ClassifyAsync(request, exception: null, responseCut: true));
            }
        }
        finally
        {
            request.Lifetime.Uninstall();
            Status499RequestContextPool.Release(request);
        }
    }

    // Who ended the request (TerminationClassifier). Synchronous unless a started response is found cut while nothing
    // says why yet: Kestrel sets the abort reason (PoisonBody) just after it cut the output, on its heartbeat thread,
    // possibly after the handler's write was already released. Then a bounded wait, as ConfirmRequestBodyAbortAsync.
    private ValueTask<RequestTermination> ClassifyAsync(Status499RequestContext request, Exception? exception, bool responseCut)
    {
        var termination = TerminationClassifier.Classify(Gather(request, exception, responseCut));
        if (termination is not (RequestTermination.None or RequestTermination.ClientAborted) || !request.HttpContext.Response.HasStarted)
        {
            return new(termination);
        }

        if (responseCut)
        {
            return ConfirmCutAsync(request, exception);
        }

        var flush = TerminationProbe.FlushResponse(request.HttpContext);
        if (!flush.IsCompletedSuccessfully)
        {
            return ConfirmCutAfterFlushAsync(request, exception, termination, flush);
        }

        return flush.Result.IsCompleted ? ConfirmCutAsync(request, exception) : new(termination);
    }

    // The output was still back-pressured: what the server does next with it, Kestrel awaits it after the app anyway.
    private async ValueTask<RequestTermination> ConfirmCutAfterFlushAsync(
        Status499RequestContext request, Exception? exception, RequestTermination termination, ValueTask<FlushResult> flush)
    {
        try
        {
            if (!(await flush).IsCompleted)
            {
                return termination;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
        {
            return termination;
        }

        return await ConfirmCutAsync(request, exception);
    }

    private async ValueTask<RequestTermination> ConfirmCutAsync(Status499RequestContext request, Exception? exception)
    {
        var termination = RequestTermination.ClientAborted;
        var deadline = Stopwatch.GetTimestamp() + (long)(ClientAbort.RequestBodyAbortGracePeriod.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
            termination = TerminationClassifier.Classify(Gather(request, exception, responseCut: true));
            if (termination is not (RequestTermination.None or RequestTermination.ClientAborted))
            {
                break;
            }
        }

        // The output is dead and the client token may never fire (the last Content-Length byte was written): still
        // an early end, by a client gone without a known reason.
        return termination == RequestTermination.None ? RequestTermination.ClientAborted : termination;
    }

    private TerminationEvidence Gather(Status499RequestContext request, Exception? exception, bool responseCut)
    {
        var evidence = TerminationProbe.Gather(
            request.HttpContext, request.Lifetime, request.ContinuedWork.AbortedByApplication, exception, _clientAbort.ApplicationStopping.IsCancellationRequested);
        evidence.ClientTokenCancelled |= responseCut;
        return evidence;
    }


    // task has failed or been canceled; awaiting it again rethrows its exception with its original stack trace.
    private async Task OnNextFailedAsync(Task task, Status499RequestContext request)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (!request.ResponseCompleted && ClientAbort.IsAbortException(ex))
        {
            request.ClientLeft.Stop();
            request.ResponseBody.Unwrap();
            var context = request.HttpContext;
            var termination = await ClassifyAsync(request, ex, responseCut: false);
            if (termination == RequestTermination.None && await _clientAbort.IsClientGoneAsync(ex, context))
            {
                // Kestrel's reason came after the classifier looked (IsClientGoneAsync waits a bounded time for a lost
                // request body's abort): the client left, how is asked again.
                termination = ClientTermination(request);
            }

            if (termination.IsClient())
            {
                RecordClientClosed(request, termination, requestBodyLost: ex is IOException, inTokenCheck: false);

                // Only ClientClosedRequest routes turn an abort into a quiet 499; elsewhere the framework decides.
                if (request.Meaning != Status499Meaning.ClientClosedRequest)
                {
                    throw;
                }

                return;
            }

            if (termination != RequestTermination.None)
            {
                RecordServerEnded(request, termination, requestBodyLost: ex is IOException);
            }

            if (termination == RequestTermination.ClientTooSlow)
            {
                // A stalled client is the client's doing: answer Kestrel's 408 rather than rethrow it into an Error.
                if (ClientAbort.IsRequestBodyTimeout(ex, out var timeout))
                {
                    ClientAbort.AnswerRejectedRequestBody(context, timeout);
                }
                else if (!context.Response.HasStarted)
                {
                    // HTTP/2: Kestrel ended the whole connection; the status is for the outer observers.
                    context.Response.StatusCode = StatusCodes.Status408RequestTimeout;
                }

                return;
            }

            // Shutdown, a request timeout, the app's abort: the framework answers as it would without Status499.
            throw;
        }
        finally
        {
            Finish(request);
        }
    }

    private void RecordTokenCheckEnd(Status499RequestContext request, TokenCheckResult check)
    {
        switch (check)
        {
            case TokenCheckResult.ClientLeftReadingBody:
                RecordClientClosed(request, ClientTermination(request), requestBodyLost: true, inTokenCheck: true);
                break;
            case TokenCheckResult.ClientLeftDuringValidation:
                // Nothing answered the request: without this the outer middleware and the hosting logs would see a 200.
                RecordClientClosed(request, ClientTermination(request), requestBodyLost: false, inTokenCheck: true);
                break;
            default:
                // Refused or BodyRejected: answered; the client may have left while the answer was written.
                if (_clientAbort.IsClientAbort(request.HttpContext))
                {
                    RecordClientClosed(request, ClientTermination(request), requestBodyLost: false, inTokenCheck: false);
                }

                break;
        }
    }

    // The token check already established that the client left (ClientAbort): only how is asked here.
    private RequestTermination ClientTermination(Status499RequestContext request)
    {
        var termination = TerminationClassifier.Classify(Gather(request, exception: null, responseCut: false));
        return termination.IsClient() ? termination : RequestTermination.ClientAborted;
    }

    private void RecordEnded(Status499RequestContext request, RequestTermination termination)
    {
        if (termination.IsClient())
        {
            RecordClientClosed(request, termination, requestBodyLost: false, inTokenCheck: false);
        }
        else if (termination != RequestTermination.None)
        {
            RecordServerEnded(request, termination, requestBodyLost: false);
        }
    }

    // The server ended the request: its status stands, DisconnectPhase stays None (the client did not go away).
    private void RecordServerEnded(Status499RequestContext request, RequestTermination termination, bool requestBodyLost)
    {
        var context = request.HttpContext;
        request.Feature.Termination = termination;
        var phase = ClientClosedStatus.PhaseOf(context, abortedBeforeStart: false, requestBodyLost);
        _signals.ServerEnded(context, request.Meaning, phase, termination, Stopwatch.GetElapsedTime(request.StartTimestamp));
    }

    private void RecordClientClosed(Status499RequestContext request, RequestTermination termination, bool requestBodyLost, bool inTokenCheck)
    {
        var context = request.HttpContext;
        var phase = ClientClosedStatus.Record(context, request.Meaning, request.ResponseBody.AbortedBeforeStart, requestBodyLost, inTokenCheck, request.LeftRateLimiterQueue);
        request.Feature.DisconnectPhase = phase;
        request.Feature.Termination = termination;

        // The client's wait ends when it left, not when a handler that ignored RequestAborted finally returned.
        // Left first: when RequestAborted's callback has not run yet, LeftTimestamp() stamps now, and a "now" read
        // before it would make the wasted work negative.
        var left = request.ClientLeft.LeftTimestamp();
        var now = Stopwatch.GetTimestamp();
        var work = request.ContinuedWork;
        _signals.ClientClosed(
            context,
            request.Meaning,
            phase,
            termination,
            waited: Stopwatch.GetElapsedTime(request.StartTimestamp, left),
            wasted: Stopwatch.GetElapsedTime(left, now),
            work.Maximum,
            work.StoppedAtMaximum);
    }

    // The middleware is done with the request: stop the clock, put the real body back (unless OnCompleted did, on a
    // request the server may have reset since), release its ownership.
    private static void Finish(Status499RequestContext request)
    {
        request.ClientLeft.Stop();
        if (!request.ResponseCompleted)
        {
            request.ResponseBody.Unwrap();
            request.Lifetime.Uninstall();
        }

        Status499RequestContextPool.Release(request);
    }

    private static bool IsUpgradeRequest(HttpContext context)
        => context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
