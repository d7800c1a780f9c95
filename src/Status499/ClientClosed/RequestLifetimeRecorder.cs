using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;

namespace Status499.ClientClosed;

// The request's IHttpRequestLifetimeFeature while Status499 serves it, in front of the server's. HttpContext.Abort()
// goes through the feature in the collection (DefaultHttpContext.Abort, github.com/dotnet/aspnetcore
// src/Http/Http/src/DefaultHttpContext.cs), so this sees the app's Abort() at once, where RequestAborted would only
// fire later on the thread pool, or never (a handler that returns right after Abort()). It also keeps the request
// timeout token of a UseRequestTimeouts() placed after UseStatus499(), which that middleware removes before returning
// (it sets IHttpRequestTimeoutFeature just before RequestAborted: RequestTimeoutsMiddleware.cs). One per pooled
// request context: installing it is a field store in the server's feature collection, no allocation.
internal sealed class RequestLifetimeRecorder : IHttpRequestLifetimeFeature
{
    private HttpContext? _context;
    private IHttpRequestLifetimeFeature? _inner;
    private CancellationToken _requestTimeout;
    private volatile bool _abortedByApplication;
    private volatile bool _abortedForClient;

    // The server's own feature, while installed.
    public IHttpRequestLifetimeFeature? Inner => _inner;

    public bool AbortedByApplication => _abortedByApplication;

    // Status499 itself aborted the request for a client that left mid-body: Kestrel's abort reason then reads "aborted by
    // the application" all the same, and must not be taken for the app's.
    public bool AbortedForClient => _abortedForClient;

    // A UseRequestTimeouts() inside UseStatus499() timed out.
    public bool TimedOut => _requestTimeout.IsCancellationRequested;

    public CancellationToken RequestAborted
    {
        get => _inner?.RequestAborted ?? default;
        set
        {
            if (_inner is not { } inner)
            {
                return;
            }

            if (_context!.Features.Get<IHttpRequestTimeoutFeature>() is { } timeout)
            {
                _requestTimeout = timeout.RequestTimeoutToken;
            }

            inner.RequestAborted = value;
        }
    }

    public void Install(HttpContext context)
    {
        var features = context.Features;
        // Never over another recorder: one left behind (a host that reuses feature collections without resetting them)
        // would otherwise forward to itself.
        if (features.Get<IHttpRequestLifetimeFeature>() is not { } inner || inner is RequestLifetimeRecorder)
        {
            return;
        }

        _context = context;
        _inner = inner;
        _requestTimeout = default;
        _abortedByApplication = false;
        _abortedForClient = false;
        features.Set<IHttpRequestLifetimeFeature>(this);
    }

    // Puts the server's feature back, for the middleware outside UseStatus499(). Idempotent.
    public void Uninstall()
    {
        if (_context is { } context && _inner is { } inner && ReferenceEquals(context.Features.Get<IHttpRequestLifetimeFeature>(), this))
        {
            context.Features.Set(inner);
        }
    }

    // The request is over: an Abort() from work the app left behind must not reach the request this serves next.
    public void Clear()
    {
        _context = null;
        _inner = null;
        _requestTimeout = default;
        _abortedByApplication = false;
        _abortedForClient = false;
    }

    public void Abort()
    {
        if (_inner is { } inner)
        {
            _abortedByApplication = true;
            inner.Abort();
        }
    }

    // Status499's own abort of a request whose client left mid-body (ClientAbort.EndLostRequestBody): not the app's.
    public void AbortForClient()
    {
        if (_inner is { } inner)
        {
            _abortedForClient = true;
            inner.Abort();
        }
    }
}
