using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
internal sealed class Status499Middleware
{
    private readonly RequestDelegate _next;
    private readonly MeaningResolver _resolver;
    private readonly Status499Metrics _metrics;
    private readonly ILogger _logger;
    private readonly LogLevel _clientClosedLogLevel;
    private readonly ClientAbort _clientAbort;
    private readonly TokenRequestHandler _tokenHandler;
    private readonly TimeSpan _wastedWorkLogThreshold;
    private readonly ContinueAfterClientAbortResolver _continueResolver;
    private readonly bool _guardReturnsState;

    public Status499Middleware(
        RequestDelegate next,
        IOptions<Status499Options> options,
        MeaningResolver resolver,
        Status499Metrics metrics,
        TokenRequestHandler tokenHandler,
        ClientAbort clientAbort,
        ILoggerFactory loggerFactory,
        ContinueAfterClientAbortResolver continueResolver,
        Status499PipelineState pipeline)
    {
        _guardReturnsState = pipeline.GuardInstalled;
        _next = next;
        _resolver = resolver;
        _clientClosedLogLevel = options.Value.ClientClosedRequestLogLevel;
        _wastedWorkLogThreshold = options.Value.WastedWorkLogThreshold;
        _metrics = metrics;
        _tokenHandler = tokenHandler;
        _clientAbort = clientAbort;
        _continueResolver = continueResolver;
        _logger = loggerFactory.CreateLogger("Status499.ClientClosedRequest");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var meaning = _resolver.Resolve(context);

        // Already handled by another UseStatus499() earlier in the pipeline: both would share one state object.
        if (meaning == Status499Meaning.None || context.Features.Get<IStatus499Feature>() is not null)
        {
            return _next(context);
        }

        // WebSocket and other upgraded requests are long-lived streams that end with a disconnect by design: no 499
        // tracking. On token routes they still need a valid token.
        var upgrade = IsUpgradeRequest(context);
        if (upgrade && meaning == Status499Meaning.ClientClosedRequest)
        {
            return _next(context);
        }

        var state = Status499RequestState.Rent(context, registerReturn: !_guardReturnsState);
        state.Initialize(context, meaning, _clientAbort, Stopwatch.GetTimestamp());
        state.Middleware = this;
        context.Features.Set<IStatus499Feature>(state);
        if (!upgrade)
        {
            state.WatchClientLeaving();
        }

        if (meaning == Status499Meaning.TokenRequired)
        {
            var validation = _tokenHandler.HandleAsync(context, state.BeginTokenCheck());
            if (!validation.IsCompletedSuccessfully)
            {
                return AwaitTokenThenInvoke(validation, context, state, upgrade);
            }

            var result = validation.Result;
            if (result != TokenCheckResult.Passed)
            {
                state.StopWatchingClientLeaving();
                OnTokenCheckEnded(context, state, result);
                state.Release();
                return Task.CompletedTask;
            }

            if (upgrade)
            {
                // Nothing more to record for an upgraded request: the state stays the feature's until OnCompleted.
                state.Release();
                return _next(context);
            }

            return InvokeNext(context, state);
        }

        state.WrapResponseBody();
        return InvokeNext(context, state);
    }

    private async Task AwaitTokenThenInvoke(ValueTask<TokenCheckResult> validation, HttpContext context, Status499RequestState state, bool upgrade)
    {
        TokenCheckResult result;
        try
        {
            result = await validation;
        }
        catch
        {
            state.StopWatchingClientLeaving();
            state.Release();
            throw;
        }

        if (result != TokenCheckResult.Passed)
        {
            state.StopWatchingClientLeaving();
            OnTokenCheckEnded(context, state, result);
            state.Release();
        }
        else if (upgrade)
        {
            state.Release();
            await _next(context);
        }
        else
        {
            await InvokeNext(context, state);
        }
    }

    private Task InvokeNext(HttpContext context, Status499RequestState state)
    {
        Task task;
        try
        {
            // ContinueAfterClientAbort: a declared route runs behind a RequestAborted that ignores the client
            // (ContinueAfterClientAbortLifetime.cs); every other request goes straight on, allocating nothing.
            task = _continueResolver.Resolve(context) is { } maximum
                ? ContinueAfterClientAbortLifetime.RunAsync(_next, context, state, maximum, _clientAbort.ApplicationStopping)
                : _next(context);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (task.IsCompletedSuccessfully)
        {
            state.StopWatchingClientLeaving();
            state.RestoreResponseBody();
            OnPipelineCompleted(context, state);
            state.Release();
            return Task.CompletedTask;
        }

        state.PendingNext = task;
        return AwaitNext(state);
    }

    // Every request whose handler really awaits pays for this method's box, so it holds only what the common case
    // needs: static, one parameter (the state carries the pending task and this middleware), one awaiter type, and no
    // try/catch (SuppressThrowing), so neither an exception local nor a second awaiter type is hoisted into it. The box
    // is then no bigger than the one of a middleware that only does `await next(context)` (docs/benchmarks.md).
    // The failure handling is OnNextFailedAsync's, paid only then.
    private static async Task AwaitNext(Status499RequestState state)
    {
        await state.PendingNext!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var task = state.PendingNext!;
        state.PendingNext = null;
        var middleware = state.Middleware;
        if (!task.IsCompletedSuccessfully)
        {
            await middleware.OnNextFailedAsync(task, state).ConfigureAwait(ConfigureAwaitOptions.None);
            return;
        }

        state.StopWatchingClientLeaving();
        if (!state.ResponseCompleted)
        {
            state.RestoreResponseBody();
            middleware.OnPipelineCompleted(state.Context, state);
        }

        state.Release();
    }

    // task has failed or been canceled; awaiting it again rethrows its exception with its original stack trace.
    private async Task OnNextFailedAsync(Task task, Status499RequestState state)
    {
        try
        {
            if (state.ResponseCompleted)
            {
                // Nobody awaits this request any more (see Status499RequestState._owners): nothing to record.
                state.StopWatchingClientLeaving();
                await task;
                return;
            }

            await RecordFailureAsync(task, state);
        }
        finally
        {
            state.Release();
        }
    }

    private async Task RecordFailureAsync(Task task, Status499RequestState state)
    {
        var context = state.Context;
        try
        {
            await task;
        }
        catch (Exception ex) when (ClientAbort.IsAbortException(ex))
        {
            state.StopWatchingClientLeaving();
            state.RestoreResponseBody();
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

            OnClientAborted(context, state, requestBodyLost: ex is IOException, inTokenCheck: false);

            // Only ClientClosedRequest routes turn an abort into a quiet 499; elsewhere the framework decides.
            if (state.Meaning != Status499Meaning.ClientClosedRequest)
            {
                throw;
            }
        }
        catch
        {
            state.StopWatchingClientLeaving();
            state.RestoreResponseBody();
            throw;
        }
    }

    private void OnTokenCheckEnded(HttpContext context, Status499RequestState state, TokenCheckResult result)
    {
        switch (result)
        {
            case TokenCheckResult.ClientLeftReadingBody:
                OnClientAborted(context, state, requestBodyLost: true, inTokenCheck: true);
                break;
            case TokenCheckResult.ClientLeftDuringValidation:
                // Nothing answered the request: without this the outer middleware and the hosting logs would see a 200.
                OnClientAborted(context, state, requestBodyLost: false, inTokenCheck: true);
                break;
            default:
                // Refused or BodyRejected: answered; the client may have left while the answer was written.
                OnPipelineCompleted(context, state);
                break;
        }
    }

    private void OnPipelineCompleted(HttpContext context, Status499RequestState state)
    {
        if (_clientAbort.IsClientAbort(context))
        {
            OnClientAborted(context, state, requestBodyLost: false, inTokenCheck: false);
        }
    }

    // requestBodyLost: the exception came from a read of the request body. inTokenCheck: the client left during the
    // token check (its form read or the validator), so no endpoint ran and nothing else owns the status.
    private void OnClientAborted(HttpContext context, Status499RequestState state, bool requestBodyLost, bool inTokenCheck)
    {
        var response = context.Response;
        ClientDisconnectPhase phase;

        if (state.AbortedBeforeStart)
        {
            phase = ClientDisconnectPhase.Handler;
        }
        else if (response.HasStarted)
        {
            phase = ClientDisconnectPhase.Response;
        }
        else
        {
            phase = requestBodyLost ? ClientDisconnectPhase.RequestBody : ClientDisconnectPhase.Handler;
        }

        state.DisconnectPhase = phase;

        // On a TokenRequired route an endpoint's status stands (there a 499 means Token Required); a client that left
        // during the token check's own form read or validation is recorded as 499 like any other, since no endpoint answered.
        var record499 = state.Meaning == Status499Meaning.ClientClosedRequest || inTokenCheck;
        if (phase == ClientDisconnectPhase.RequestBody)
        {
            ClientAbort.EndLostRequestBody(context, record499);
        }
        else if (phase == ClientDisconnectPhase.Handler && record499 && !response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }

        // The client's wait ends when it left, not when a handler that ignored RequestAborted finally returned; the
        // time after that is work nobody waited for.
        // Left first: when RequestAborted's callback has not run yet, ClientLeftTimestamp() stamps now, and a "now" read
        // before it would make the wasted work negative.
        var left = state.ClientLeftTimestamp();
        var now = Stopwatch.GetTimestamp();
        var waited = Stopwatch.GetElapsedTime(state.StartTimestamp, left);
        var wasted = Stopwatch.GetElapsedTime(left, now);

        var route = RequestDescription.RouteOf(context);
        _metrics.ClientClosedRequest(context, route, state.Meaning, phase, waited, wasted);

        var activity = Activity.Current;
        if (activity is not null)
        {
            activity.SetTag("status499.phase", Status499Names.Of(phase));

            // Stamped at the moment the client left: now minus the time since, which does not depend on when the
            // activity started relative to this middleware.
            var tags = new ActivityTagsCollection
            {
                { "status499.phase", Status499Names.Of(phase) },
                { "status499.meaning", Status499Names.Of(state.Meaning) },
            };
            if (state.ContinuesAfterClientAbort)
            {
                tags.Add("status499.continued", true);
            }

            activity.AddEvent(new ActivityEvent("status499.client_closed", DateTimeOffset.UtcNow - wasted, tags));
        }

        if (state.ContinuesAfterClientAbort)
        {
            LogContinuedWork(context, state, route, wasted);
        }
        else if (wasted >= _wastedWorkLogThreshold && _logger.IsEnabled(LogLevel.Warning))
        {
            Status499Log.WorkAfterClientLeft(_logger, context.Request.Method, RequestDescription.PathOf(context), route, wasted.TotalMilliseconds);
        }

        if (_logger.IsEnabled(_clientClosedLogLevel))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled above; the level is dynamic, which the analyzer cannot see.
            var request = context.Request;
            var path = RequestDescription.PathOf(context);
            Status499Log.ClientClosedRequest(_logger, _clientClosedLogLevel, request.Method, path, route, Status499Names.Of(phase), waited.TotalMilliseconds, response.StatusCode);
#pragma warning restore CA1873
        }
    }

    // ContinueAfterClientAbort: the work after the client left was wanted, so no WorkAfterClientLeft warning; a warning
    // only when the maximum cut it short.
    private void LogContinuedWork(HttpContext context, Status499RequestState state, string? route, TimeSpan continued)
    {
        var maximum = state.ContinueMaximum.GetValueOrDefault();
        if (state.ContinuedWorkStoppedAtMaximum)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                Status499Log.ContinuedWorkStoppedAtMaximum(_logger, context.Request.Method, RequestDescription.PathOf(context), route, maximum.TotalMilliseconds);
            }
        }
        else if (_logger.IsEnabled(LogLevel.Information))
        {
            var path = RequestDescription.PathOf(context);
            Status499Log.WorkContinuedAfterClientLeft(_logger, context.Request.Method, path, route, continued.TotalMilliseconds, maximum.TotalMilliseconds);
        }
    }

    private static bool IsUpgradeRequest(HttpContext context)
        => context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
