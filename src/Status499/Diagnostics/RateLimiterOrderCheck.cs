using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Status499.ClientClosed;

namespace Status499.Diagnostics;

// Tells when UseRateLimiter() runs before UseStatus499(): a client that leaves while queued is then never seen by
// Status499 (the limiter returns without calling next), and one that leaves later has no queue wait. UseRateLimiter()
// leaves no mark on the application builder, so the order cannot be seen while the pipeline is built; it is watched on
// the first rate-limited requests instead, through RateLimitingMetrics.LeaseStart (+1 on active_request_leases), which
// RateLimitingMiddleware.InvokeInternal records synchronously right before it calls next:
// - inside UseStatus499()'s call to next (RateLimiterQueueObserver.Current is set): the order is right, stop watching;
// - otherwise the lease is marked in an AsyncLocal that flows into the limiter's call to next only. UseStatus499()
//   finding that mark stands behind the limiter: warn once. A mark that never reaches it (async middleware between a
//   well-placed UseStatus499() and the limiter, or a route Status499 does not serve) says nothing, and costs one
//   ExecutionContext per rate-limited request until MaximumLeasesWatched leases have been seen.
internal sealed class RateLimiterOrderCheck : IDisposable
{
    internal const string ActiveRequestLeases = "aspnetcore.rate_limiting.active_request_leases";
    private const int MaximumLeasesWatched = 100;

    private static readonly AsyncLocal<RateLimiterOrderCheck?> s_leaseOutsideStatus499 = new();

    private readonly MeterListener _listener;
    private readonly ILogger _logger;
    // Set once this app's RateLimitingMetrics exists (RateLimitingMiddleware creates it when the pipeline is built): an
    // app without UseRateLimiter() never watches.
    private volatile bool _watching;
    private int _leasesLeft = MaximumLeasesWatched;
    private int _warned;
    private int _stopped;

    public RateLimiterOrderCheck(IMeterFactory meterFactory, ILoggerFactory loggerFactory)
    {
        _logger = loggerFactory.CreateLogger("Status499.Startup");
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == RateLimiterQueueObserver.MeterName
                    && instrument.Name == ActiveRequestLeases)
                {
                    listener.EnableMeasurementEvents(instrument, this);
                    _watching = Volatile.Read(ref _stopped) == 0;
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, measurement, _, state) => ((RateLimiterOrderCheck)state!).OnLeasesChanged(measurement));
        _listener.Start();
    }

    // Called by the middleware for each request it serves; one volatile read once the check is over.
    public void Check()
    {
        if (_watching && ReferenceEquals(s_leaseOutsideStatus499.Value, this))
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Status499Log.RateLimiterBeforeStatus499(_logger);
            }

            Stop();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnLeasesChanged(long measurement)
    {
        if (measurement <= 0 || !_watching)
        {
            return;
        }

        if (RateLimiterQueueObserver.Current is not null)
        {
            Stop();
            return;
        }

        s_leaseOutsideStatus499.Value = this;
        if (Interlocked.Decrement(ref _leasesLeft) <= 0)
        {
            Stop();
        }
    }

    // Off the request's thread: disposing the listener from inside its own callback is not something to rely on. Once
    // the listener is gone the limiter stops recording leases for it too.
    private void Stop()
    {
        _watching = false;
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static check => check._listener.Dispose(), this, preferLocal: false);
        }
    }
}
