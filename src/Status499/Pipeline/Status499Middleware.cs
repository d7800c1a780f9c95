using System.Diagnostics;
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
            Completed(request);
            return Task.CompletedTask;
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

        request.Middleware.Completed(request);
    }

    // The rest of the pipeline returned normally. A client that left is recorded all the same: a handler that
    // ignored RequestAborted still "succeeds" into a closed connection.
    private void Completed(Status499RequestContext request)
    {
        request.ClientLeft.Stop();
        request.ResponseBody.Unwrap();
        if (_clientAbort.IsClientAbort(request.HttpContext))
        {
            RecordClientClosed(request, requestBodyLost: false, inTokenCheck: false);
        }

        // The clock is stopped and the body put back above (before recording): Finish would do both again on every
        // completed request.
        Status499RequestContextPool.Release(request);
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
            if (!await _clientAbort.IsClientGoneAsync(ex, context))
            {
                // A stalled body is the client's doing too: answer Kestrel's 408 rather than rethrow it into an Error.
                if (ClientAbort.IsRequestBodyTimeout(ex, out var timeout))
                {
                    ClientAbort.AnswerRejectedRequestBody(context, timeout);
                    return;
                }

                throw;
            }

            RecordClientClosed(request, requestBodyLost: ex is IOException, inTokenCheck: false);

            // Only ClientClosedRequest routes turn an abort into a quiet 499; elsewhere the framework decides.
            if (request.Meaning != Status499Meaning.ClientClosedRequest)
            {
                throw;
            }
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
                RecordClientClosed(request, requestBodyLost: true, inTokenCheck: true);
                break;
            case TokenCheckResult.ClientLeftDuringValidation:
                // Nothing answered the request: without this the outer middleware and the hosting logs would see a 200.
                RecordClientClosed(request, requestBodyLost: false, inTokenCheck: true);
                break;
            default:
                // Refused or BodyRejected: answered; the client may have left while the answer was written.
                if (_clientAbort.IsClientAbort(request.HttpContext))
                {
                    RecordClientClosed(request, requestBodyLost: false, inTokenCheck: false);
                }

                break;
        }
    }

    private void RecordClientClosed(Status499RequestContext request, bool requestBodyLost, bool inTokenCheck)
    {
        var context = request.HttpContext;
        var phase = ClientClosedStatus.Record(context, request.Meaning, request.ResponseBody.AbortedBeforeStart, requestBodyLost, inTokenCheck, request.LeftRateLimiterQueue);
        request.Feature.DisconnectPhase = phase;

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
        }

        Status499RequestContextPool.Release(request);
    }

    private static bool IsUpgradeRequest(HttpContext context)
        => context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
