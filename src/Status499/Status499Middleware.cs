using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Status499;

/// <summary>
/// Resolves each request's <see cref="Status499Meaning"/>, records client-closed requests as 499 for every outer
/// observer, and validates tokens on token-protected routes. Added by <c>app.UseStatus499()</c>.
/// </summary>
internal sealed class Status499Middleware
{
    internal static readonly TimeSpan RequestBodyAbortGracePeriod = TimeSpan.FromMilliseconds(500);

    private readonly RequestDelegate _next;
    private readonly MeaningResolver _resolver;
    private readonly Status499Metrics _metrics;
    private readonly ILogger _logger;
    private readonly LogLevel _clientClosedLogLevel;
    private readonly CancellationToken _applicationStopping;
    private readonly TokenRequestHandler _tokenHandler;

    public Status499Middleware(
        RequestDelegate next,
        IOptions<Status499Options> options,
        MeaningResolver resolver,
        Status499Metrics metrics,
        TokenRequestHandler tokenHandler,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _next = next;
        _resolver = resolver;
        _clientClosedLogLevel = options.Value.ClientClosedRequestLogLevel;
        _metrics = metrics;
        _tokenHandler = tokenHandler;
        _applicationStopping = lifetime.ApplicationStopping;
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

        var state = Status499RequestState.Get(context);
        state.Initialize(context, meaning, this, Stopwatch.GetTimestamp());
        context.Features.Set<IStatus499Feature>(state);

        if (meaning == Status499Meaning.TokenRequired)
        {
            var validation = _tokenHandler.HandleAsync(context, state);
            if (!validation.IsCompletedSuccessfully)
            {
                return AwaitTokenThenInvoke(validation, context, state, upgrade);
            }

            if (!validation.Result)
            {
                OnPipelineCompleted(context, state);
                return Task.CompletedTask;
            }

            return upgrade ? _next(context) : InvokeNext(context, state);
        }

        state.WrapResponseBody();
        return InvokeNext(context, state);
    }

    private async Task AwaitTokenThenInvoke(ValueTask<bool> validation, HttpContext context, Status499RequestState state, bool upgrade)
    {
        if (!await validation)
        {
            OnPipelineCompleted(context, state);
        }
        else if (upgrade)
        {
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
            task = _next(context);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (task.IsCompletedSuccessfully)
        {
            state.RestoreResponseBody();
            OnPipelineCompleted(context, state);
            return Task.CompletedTask;
        }

        return AwaitNext(task, context, state);
    }

    private async Task AwaitNext(Task task, HttpContext context, Status499RequestState state)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ClientAbort.IsAbortException(ex))
        {
            state.RestoreResponseBody();
            if (!IsClientAbort(context) && !IsConnectionReset(ex) && !await ConfirmRequestBodyAbortAsync(ex, context))
            {
                throw;
            }

            OnClientAborted(context, state, ex);

            // Only ClientClosedRequest routes turn an abort into a quiet 499; elsewhere the framework decides.
            if (state.Meaning != Status499Meaning.ClientClosedRequest)
            {
                throw;
            }

            return;
        }
        catch
        {
            state.RestoreResponseBody();
            throw;
        }

        state.RestoreResponseBody();
        OnPipelineCompleted(context, state);
    }

    // Kestrel throws ConnectionResetException only when the transport reports that the peer reset the connection: the
    // client left, even if RequestAborted (cancelled on the thread pool) does not say so yet. Found by the chaos test,
    // where a busy thread pool delayed that cancellation past any reasonable wait.
    private bool IsConnectionReset(Exception ex)
        => ex is ConnectionResetException && !_applicationStopping.IsCancellationRequested;

    // When a client disconnects mid-upload, Kestrel's body reader throws ("Unexpected end of request content") and
    // marks the connection aborted at once, but cancels an already-created RequestAborted token on the thread pool
    // (HttpProtocol.AbortRequest), so the token can still read "not cancelled" when the exception arrives here.
    // Give it a bounded moment. A genuinely malformed body never cancels the token and is rethrown, so Kestrel still
    // answers it 400, only that much later.
    private async Task<bool> ConfirmRequestBodyAbortAsync(Exception ex, HttpContext context)
    {
        if (ex is not BadHttpRequestException || context.Response.HasStarted || _applicationStopping.IsCancellationRequested)
        {
            return false;
        }

        var aborted = context.RequestAborted;
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

    private void OnPipelineCompleted(HttpContext context, Status499RequestState state)
    {
        if (IsClientAbort(context))
        {
            OnClientAborted(context, state, exception: null);
        }
    }

    // The request was aborted by the client, not by a server-side timeout or by shutdown:
    // - UseRequestTimeouts() links its timeout into RequestAborted and answers 504 (dotnet/aspnetcore#52295), so a
    //   fired IHttpRequestTimeoutFeature.RequestTimeoutToken means "server gave up", not "client left".
    // - Graceful shutdown aborts the requests still running when the shutdown timeout ends.
    internal bool IsClientAbort(HttpContext context)
    {
        if (!context.RequestAborted.IsCancellationRequested || _applicationStopping.IsCancellationRequested)
        {
            return false;
        }

        var timeout = context.Features.Get<IHttpRequestTimeoutFeature>();
        return timeout is null || !timeout.RequestTimeoutToken.IsCancellationRequested;
    }

    private void OnClientAborted(HttpContext context, Status499RequestState state, Exception? exception)
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
            phase = exception is IOException ? ClientDisconnectPhase.RequestBody : ClientDisconnectPhase.Handler;
            if (state.Meaning == Status499Meaning.ClientClosedRequest)
            {
                response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            }
        }

        state.DisconnectPhase = phase;

        // The request body broke under the server. Once the exception is swallowed, Kestrel believes the app finished
        // normally and tries to drain the body, which fails and logs an Error ("automatic draining of the request body
        // failed"). Aborting says what happened: the connection is gone, there is nothing to drain.
        if (phase == ClientDisconnectPhase.RequestBody && state.Meaning == Status499Meaning.ClientClosedRequest)
        {
            context.Abort();
        }

        var route = RequestDescription.RouteOf(context);
        _metrics.ClientClosedRequest(context, route, state.Meaning, phase);

        var activity = Activity.Current;
        if (activity is not null)
        {
            activity.SetTag("status499.phase", Status499Names.Of(phase));
            activity.AddEvent(new ActivityEvent("status499.client_closed", tags: new ActivityTagsCollection
            {
                { "status499.phase", Status499Names.Of(phase) },
                { "status499.meaning", Status499Names.Of(state.Meaning) },
            }));
        }

        if (_logger.IsEnabled(_clientClosedLogLevel))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled above; the level is dynamic, which the analyzer cannot see.
            var request = context.Request;
            var path = RequestDescription.PathOf(context);
            var elapsed = Stopwatch.GetElapsedTime(state.StartTimestamp).TotalMilliseconds;
            Status499Log.ClientClosedRequest(_logger, _clientClosedLogLevel, request.Method, path, route, Status499Names.Of(phase), elapsed, response.StatusCode);
#pragma warning restore CA1873
        }
    }

    private static bool IsUpgradeRequest(HttpContext context)
        => context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
