using System.Diagnostics;
using System.Diagnostics.Metrics;
using Status499.Pipeline;

namespace Status499.ClientClosed;

// Which request waited in UseRateLimiter()'s queue, how long, and whether its client left there. RateLimitingMiddleware
// has no per-request feature for it, and when a queued client leaves it returns without a status, an exception or a
// call to next (RateLimitingMiddleware.InvokeInternal, dotnet/aspnetcore src/Middleware/RateLimiting/src), so the
// outer middleware would see a 200 that nobody answered. Its metrics are the only per-request hook
// (RateLimitingMetrics.QueueStart/QueueEnd), read here through a MeterListener on this app's own meter.
//
// Attribution, free for requests that never queue:
// - The middleware marks its request as current on this thread around its call to next (Enter/Exit).
// - QueueStart (+1 on queued_requests) runs synchronously inside that call, in RateLimitingMiddleware.TryAcquireAsync
//   right before it awaits the queue, as long as what stands between UseStatus499() and UseRateLimiter() did not
//   really go asynchronous. The callback hands the request to an AsyncLocal: set inside that async method, it only
//   flows into the await's continuation (the method's caller gets its own context back), and the ExecutionContext it
//   allocates is paid only by requests that really wait.
// - QueueEnd (time_in_queue, with the result tag) runs on that continuation: it finds the request there. The request
//   is still in flight (the limiter has not returned yet), so its pooled context cannot serve another meanwhile.
// Limits: a middleware between the two that really goes asynchronous before calling next hides the queue (the request
// is then recorded as before, phase handler, docs/client-closed.md); and a request resumed inline inside another
// request's synchronous call to next (a TaskCompletionSource completed without RunContinuationsAsynchronously) that
// then queues would be taken for that other request (no ASP.NET Core middleware does that).
internal sealed class RateLimiterQueueObserver : IDisposable
{
    // RateLimitingMetrics (identical names on net8.0, net9.0 and net10.0).
    internal const string MeterName = "Microsoft.AspNetCore.RateLimiting";
    internal const string QueuedRequests = "aspnetcore.rate_limiting.queued_requests";
    internal const string TimeInQueue = "aspnetcore.rate_limiting.request.time_in_queue";
    private const string ResultTag = "aspnetcore.rate_limiting.result";

    // RequestRejectionReason.RequestCanceled: the wait ended because RequestAborted fired.
    private const string RequestCanceled = "request_canceled";

    [ThreadStatic]
    private static Status499RequestContext? t_current;

    private static readonly AsyncLocal<Status499RequestContext?> s_queued = new();

    private readonly MeterListener _listener;

    public RateLimiterQueueObserver(IMeterFactory meterFactory)
    {
        _listener = new MeterListener
        {
            // Only this app's RateLimitingMetrics: it is created from the app's IMeterFactory, which sets itself as the
            // meter's Scope, so apps (and test hosts) in one process do not see each other's requests.
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == MeterName
                    && instrument.Name is QueuedRequests or TimeInQueue)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, measurement, _, _) => OnQueuedRequestsChanged(measurement));
        _listener.SetMeasurementEventCallback<double>(static (_, seconds, tags, _) => OnQueueLeft(seconds, tags));
        _listener.Start();
    }

    // The request the current thread runs the rest of the pipeline for, while the middleware is inside its call to
    // next; null elsewhere.
    internal static Status499RequestContext? Current => t_current;

    // Around the middleware's call to next. Returns what to restore: a nested pipeline run on the same thread (a test
    // server, a branch that calls another app) gets its own request and gives the outer one back.
    public static Status499RequestContext? Enter(Status499RequestContext request)
    {
        var previous = t_current;
        t_current = request;
        return previous;
    }

    public static void Exit(Status499RequestContext? previous) => t_current = previous;

    public void Dispose() => _listener.Dispose();

    // +1 when a request starts waiting (QueueStart), -1 when it stops (QueueEnd, which time_in_queue reports).
    private static void OnQueuedRequestsChanged(long measurement)
    {
        if (measurement > 0 && t_current is { } request)
        {
            s_queued.Value = request;
        }
    }

    private static void OnQueueLeft(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (s_queued.Value is not { } request)
        {
            return;
        }

        var clientLeft = false;
        foreach (var tag in tags)
        {
            if (tag.Key == ResultTag)
            {
                clientLeft = tag.Value is string result && result == RequestCanceled;
            }
        }

        var wait = TimeSpan.FromSeconds(seconds);
        request.Feature.QueueWait = wait;
        request.LeftRateLimiterQueue = clientLeft;

        // HAProxy's Tw, on the request's span whatever happens next (the continuation runs in the request's
        // ExecutionContext, so Activity.Current is the request's). Boxed once, only for requests that waited. The
        // TimeSpan's value, so that the span and the feature agree to the tick.
        Activity.Current?.SetTag("status499.queue_wait", wait.TotalSeconds);
    }
}
