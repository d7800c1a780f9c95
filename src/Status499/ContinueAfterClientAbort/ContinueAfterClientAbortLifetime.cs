using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Status499.ClientClosed;

namespace Status499.ContinueAfterClientAbort;

// What a route declared with ContinueAfterClientAbort runs with: an IHttpRequestLifetimeFeature whose RequestAborted
// (what HttpContext.RequestAborted returns to the handler and to every middleware inside UseStatus499) ignores the
// client leaving, and fires only when the server wants the work stopped:
// - shutdown begins (IHostApplicationLifetime.ApplicationStopping);
// - a UseRequestTimeouts() placed before UseStatus499 times out. That middleware has already linked its timeout into
//   RequestAborted (github.com/dotnet/aspnetcore src/Http/Http/src/Timeouts/RequestTimeoutsMiddleware.cs), so the
//   token found here fires for both; its IHttpRequestTimeoutFeature.RequestTimeoutToken is the timeout alone. One
//   placed after UseStatus499 links its own timeout into this token and sets it back afterwards: nothing to do;
// - the route's maximum has passed since the client left. Counted from the client leaving, not from the start: while
//   the client waits, the request is like any other (UseRequestTimeouts bounds that); the maximum bounds only the
//   work nobody waits for.
// Abort() still aborts the real connection. The token the client's departure cancels stays available as
// ClientAborted, so ClientAbort ("is the client gone?") keeps seeing the truth.
// Only requests on such routes come here: the allocations below (the feature, a linked source, one registration, and
// the timer once the client left) are theirs alone.
internal sealed class ContinueAfterClientAbortLifetime : IHttpRequestLifetimeFeature
{
    private readonly IHttpRequestLifetimeFeature _connection;
    private readonly CancellationTokenSource _cancellation;
    private readonly TimeSpan _maximum;
    private volatile bool _aborted;

    private ContinueAfterClientAbortLifetime(IHttpRequestLifetimeFeature connection, CancellationTokenSource cancellation, TimeSpan maximum)
    {
        _connection = connection;
        _cancellation = cancellation;
        _maximum = maximum;
        ClientAborted = connection.RequestAborted;
        RequestAborted = cancellation.Token;
    }

    // Fires when the client leaves (and for whatever an outer middleware linked into it).
    public CancellationToken ClientAborted { get; }

    // Settable because inner middleware (UseRequestTimeouts) sets HttpContext.RequestAborted for the rest of the pipeline.
    public CancellationToken RequestAborted { get; set; }

    public void Abort()
    {
        _aborted = true;
        _connection.Abort();

        // As with Kestrel's own feature: after Abort(), RequestAborted reads cancelled. A handler's background work can
        // call Abort() after the request ended and the source was disposed: then there is nothing left to cancel.
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public static async Task RunAsync(RequestDelegate next, HttpContext context, ContinuedWork work, TimeSpan maximum, CancellationToken applicationStopping)
    {
        var features = context.Features;
        var original = features.Get<IHttpRequestLifetimeFeature>();
        if (original is null)
        {
            await next(context);
            return;
        }

        // Behind Status499's RequestLifetimeRecorder (pooled with the request context) is the server's feature: an
        // Abort() from work left behind after the request must not reach a recorder that serves another request by then.
        var connection = original is RequestLifetimeRecorder { Inner: { } inner } ? inner : original;

        var timeout = features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken ?? default;
        using var cancellation = timeout.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(applicationStopping, timeout)
            : CancellationTokenSource.CreateLinkedTokenSource(applicationStopping);
        var lifetime = new ContinueAfterClientAbortLifetime(connection, cancellation, maximum);

        // UnsafeRegister: the timer needs no ExecutionContext. Runs at once if the client already left.
        var clientLeft = lifetime.ClientAborted.UnsafeRegister(static s => ((ContinueAfterClientAbortLifetime)s!).OnClientLeft(), lifetime);
        work.Maximum = maximum;
        features.Set<IHttpRequestLifetimeFeature>(lifetime);
        try
        {
            await next(context);
        }
        finally
        {
            // Restored before UseStatus499 decides what happened, and for every middleware outside it.
            features.Set(original);

            // After Dispose the callback has run or never will, so CancelAfter cannot meet a disposed source.
            clientLeft.Dispose();
            work.StoppedAtMaximum = cancellation.IsCancellationRequested
                && !applicationStopping.IsCancellationRequested
                && !timeout.IsCancellationRequested
                && !lifetime._aborted;
            work.AbortedByApplication = lifetime._aborted;
        }
    }

    private void OnClientLeft() => _cancellation.CancelAfter(_maximum);
}
