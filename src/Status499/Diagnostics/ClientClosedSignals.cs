using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.ClientClosed;

namespace Status499.Diagnostics;

// Everything an operator sees of one client-closed request: the metric, the span's tag and event, and the log events
// (docs/signals.md). Built once; the middleware calls it when it has established that the client left.
internal sealed class ClientClosedSignals
{
    private readonly Status499Metrics _metrics;
    private readonly ILogger _logger;
    private readonly LogLevel _clientClosedLogLevel;
    private readonly TimeSpan _wastedWorkLogThreshold;
    private readonly bool _recordTerminationAsErrorType;

    public ClientClosedSignals(IOptions<Status499Options> options, Status499Metrics metrics, ILoggerFactory loggerFactory)
    {
        _metrics = metrics;
        _clientClosedLogLevel = options.Value.ClientClosedRequestLogLevel;
        _wastedWorkLogThreshold = options.Value.WastedWorkLogThreshold;
        _recordTerminationAsErrorType = options.Value.RecordTerminationAsErrorType;
        _logger = loggerFactory.CreateLogger("Status499.ClientClosedRequest");
    }

    // waited: from the request reaching UseStatus499() to the client leaving. wasted: from then to now.
    // continueMaximum: the route's ContinueAfterClientAbort maximum, null on every other route.
    public void ClientClosed(
        HttpContext context,
        Status499Meaning meaning,
        ClientDisconnectPhase phase,
        RequestTermination termination,
        TimeSpan waited,
        TimeSpan wasted,
        TimeSpan? continueMaximum,
        bool stoppedAtMaximum)
    {
        var route = RequestDescription.RouteOf(context);
        _metrics.ClientClosedRequest(context, route, meaning, phase, termination, waited, wasted);
        RecordErrorType(context, termination);
        RecordOnActivity("status499.client_closed", meaning, phase, termination, wasted, continueMaximum.HasValue);

        if (continueMaximum is { } maximum)
        {
            LogContinuedWork(context, route, wasted, maximum, stoppedAtMaximum);
        }
        else if (wasted >= _wastedWorkLogThreshold && _logger.IsEnabled(LogLevel.Warning))
        {
            Status499Log.WorkAfterClientLeft(_logger, context.Request.Method, RequestDescription.PathOf(context), route, wasted.TotalMilliseconds);
        }

        if (_logger.IsEnabled(_clientClosedLogLevel))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled above; the level is dynamic, which the analyzer cannot see.
            var path = RequestDescription.PathOf(context);
            Status499Log.ClientClosedRequest(_logger, _clientClosedLogLevel, context.Request.Method, path, route, Status499Names.Of(phase), Status499Names.Of(termination), waited.TotalMilliseconds, QueueWaitMilliseconds(context), context.Response.StatusCode);
#pragma warning restore CA1873
        }
    }

    // The server ended the request (TerminationClassifier): its own counter and log event, never "the client closed".
    // elapsed: from the request reaching UseStatus499() to now.
    public void ServerEnded(HttpContext context, Status499Meaning meaning, ClientDisconnectPhase phase, RequestTermination termination, TimeSpan elapsed)
    {
        var route = RequestDescription.RouteOf(context);
        _metrics.ServerEndedRequest(context, route, meaning, phase, termination);
        RecordErrorType(context, termination);
        RecordOnActivity("status499.server_ended", meaning, phase, termination, TimeSpan.Zero, continued: false);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var path = RequestDescription.PathOf(context);
            var phaseName = Status499Names.Of(phase);
            var terminationName = Status499Names.Of(termination);
            Status499Log.RequestEndedByServer(_logger, context.Request.Method, path, route, phaseName, terminationName, elapsed.TotalMilliseconds);
        }
    }

    // 0 for a request that did not wait in UseRateLimiter()'s queue. (Its span got status499.queue_wait when the wait
    // ended: RateLimiterQueueObserver.)
    private static double QueueWaitMilliseconds(HttpContext context)
        => context.Features.Get<IStatus499Feature>()?.QueueWait?.TotalMilliseconds ?? 0;

    // Status499Options.RecordTerminationAsErrorType (TerminationErrorType).
    private void RecordErrorType(HttpContext context, RequestTermination termination)
    {
        if (_recordTerminationAsErrorType)
        {
            TerminationErrorType.Record(context, termination);
        }
    }

    private static void RecordOnActivity(string eventName, Status499Meaning meaning, ClientDisconnectPhase phase, RequestTermination termination, TimeSpan wasted, bool continued)
    {
        var activity = Activity.Current;
        if (activity is null)
        {
            return;
        }

        activity.SetTag("status499.phase", Status499Names.Of(phase));
        activity.SetTag("status499.termination", Status499Names.Of(termination));

        // Stamped at the moment the client left (server endings: now): now minus the time since, which does not depend
        // on when the activity started relative to the middleware.
        var tags = new ActivityTagsCollection
        {
            { "status499.phase", Status499Names.Of(phase) },
            { "status499.meaning", Status499Names.Of(meaning) },
            { "status499.termination", Status499Names.Of(termination) },
        };
        if (continued)
        {
            tags.Add("status499.continued", true);
        }

        activity.AddEvent(new ActivityEvent(eventName, DateTimeOffset.UtcNow - wasted, tags));
    }

    // ContinueAfterClientAbort: the work after the client left was wanted, so no WorkAfterClientLeft warning; a warning
    // only when the maximum cut it short.
    private void LogContinuedWork(HttpContext context, string? route, TimeSpan continued, TimeSpan maximum, bool stoppedAtMaximum)
    {
        if (stoppedAtMaximum)
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
}
