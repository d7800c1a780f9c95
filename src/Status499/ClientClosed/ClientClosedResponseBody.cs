using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Status499.ClientClosed;

// On ClientClosedRequest routes, a thin IHttpResponseBodyFeature in front of the real one. It exists for one reason:
// middleware such as UseHttpLogging() log the status when the first body byte passes through them
// (HttpLoggingMiddleware's ResponseBufferingStream), before Kestrel runs OnStarting callbacks. To make them log 499
// for a handler that ignores RequestAborted and writes late, the status must be changed before the write reaches
// them. One per pooled request context; its stream and writer are created on first use.
#pragma warning disable CA1001 // The wrapper stream owns nothing: the server owns the real one.
internal sealed class ClientClosedResponseBody : IHttpResponseBodyFeature
{
    private HttpContext? _context;
    private ClientAbort? _clientAbort;
    private IHttpResponseBodyFeature? _inner;
    private ResponseStartObservingStream? _stream;
    private ResponseStartObservingPipeWriter? _writer;
    private bool _startObserved;

    // True when the first write found the client already gone and set 499 before the response started.
    public bool AbortedBeforeStart { get; private set; }

    internal IHttpResponseBodyFeature Inner => _inner!;

    public void Wrap(HttpContext context, ClientAbort clientAbort)
    {
        var features = context.Features;
        var current = features.Get<IHttpResponseBodyFeature>()!;
        _context = context;
        _clientAbort = clientAbort;
        _inner = current;
        _startObserved = false;
        AbortedBeforeStart = false;
        features.Set<IHttpResponseBodyFeature>(this);
    }

    // Puts the real body back, for the middleware outside UseStatus499() and for the server, even over a wrapper an
    // inner middleware left behind (it is gone with that middleware). Idempotent.
    public void Unwrap()
    {
        if (_context is { } context && _inner is not null)
        {
            context.Features.Set(_inner);
        }
    }

    // When the response has completed: only where this wrapper is still the request's body.
    public void UnwrapIfCurrent()
    {
        if (_context is { } context && _inner is not null && ReferenceEquals(context.Features.Get<IHttpResponseBodyFeature>(), this))
        {
            context.Features.Set(_inner);
        }
    }

    // The request is over: nothing of it may stay reachable from the pool.
    public void Clear()
    {
        _context = null;
        _clientAbort = null;
        _inner = null;
        AbortedBeforeStart = false;
    }

    // Called before anything that can start the response: the last moment the status can still become 499.
    internal void OnResponseStarting()
    {
        if (_startObserved)
        {
            return;
        }

        _startObserved = true;
        var context = _context!;
        if (!context.Response.HasStarted && _clientAbort!.IsClientAbort(context))
        {
            AbortedBeforeStart = true;
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }
    }

    Stream IHttpResponseBodyFeature.Stream => _stream ??= new ResponseStartObservingStream(this);

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= new ResponseStartObservingPipeWriter(this);

    void IHttpResponseBodyFeature.DisableBuffering() => _inner!.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken)
    {
        OnResponseStarting();
        return _inner!.StartAsync(cancellationToken);
    }

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        OnResponseStarting();
        return _inner!.SendFileAsync(path, offset, count, cancellationToken);
    }

    Task IHttpResponseBodyFeature.CompleteAsync()
    {
        OnResponseStarting();
        return _inner!.CompleteAsync();
    }
}
