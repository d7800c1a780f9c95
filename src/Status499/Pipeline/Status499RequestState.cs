using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;
using Status499.ClientClosed;
using Status499.Tokens;

namespace Status499.Pipeline;

// Per-request state: the IStatus499Feature that the app sees, and, on ClientClosedRequest routes, a thin
// IHttpResponseBodyFeature in front of the real one. The wrapper exists for one reason: middleware such as
// UseHttpLogging() log the status when the first body byte passes through them (HttpLoggingMiddleware's
// ResponseBufferingStream), before Kestrel runs OnStarting callbacks. To make them log 499 for a handler that
// ignores RequestAborted and writes late, the status must be changed before the write reaches them.
//
// Instances are rented from a small bounded pool and returned when the response has completed (OnCompleted, after
// every middleware has returned and before the server disposes the HttpContext), as Kestrel pools its HttpContexts:
// the steady state allocates nothing per request, and an idle keep-alive connection holds no state at all (caching
// one per connection through IPersistentStateFeature cost ~800 B per connection, docs/benchmarks.md). On return the
// feature is removed from the request, so nothing can reach the instance once another request uses it.
#pragma warning disable CA1001 // The wrapper stream owns nothing: the server owns the real one.
internal sealed class Status499RequestState : IStatus499Feature, IHttpResponseBodyFeature, ITokenCheckHolder
{
    // A few per core: enough for the requests in flight on a busy server; beyond that a request allocates its own
    // state and the pool drops it on return.
    private static readonly ObjectPool<Status499RequestState> s_pool =
        new DefaultObjectPool<Status499RequestState>(new Policy(), Environment.ProcessorCount * 8);

    // OnCompleted: the response is over, so nothing may reach the state through the request any more; it goes back to
    // the pool once the middleware is done with it too (Release).
    public static readonly Func<object, Task> ReturnOnCompleted = static context =>
    {
        if (((HttpContext)context).Features.Get<IStatus499Feature>() is Status499RequestState state)
        {
            state.ResponseCompleted = true;
            state.Detach();
            state.Release();
        }

        return Task.CompletedTask;
    };

    // Two owners per rental: the middleware, until its last step, and the OnCompleted callback. Usually the middleware
    // finishes first, but an outer middleware that stops awaiting its next (a home-made timeout that answers 504)
    // completes the response while the pipeline still runs: the state must not serve another request meanwhile.
    private int _owners;

    private ResponseStartObservingStream? _stream;
    private ResponseStartObservingPipeWriter? _writer;
    private HttpContext? _context;
    private IHttpResponseBodyFeature? _innerBody;
    private ClientAbort? _clientAbort;
    private bool _startObserved;
    private CancellationTokenRegistration _clientLeftRegistration;

    // Stopwatch timestamp of the moment RequestAborted fired; 0 while the client is still there. Written by Kestrel's
    // cancellation on a thread-pool thread, read by the middleware when it notices the abort, possibly later.
    private long _clientLeftTimestamp;

    private Status499RequestState()
    {
    }

    public Status499Meaning Meaning { get; private set; }

    public ClientDisconnectPhase DisconnectPhase { get; set; }

    public TokenOutcome TokenOutcome => _tokenCheck?.Outcome ?? TokenOutcome.NotChecked;

    public TokenSource TokenSource => _tokenCheck?.Source ?? TokenSource.None;

    public long StartTimestamp { get; private set; }

    // ContinueAfterClientAbort (ContinueAfterClientAbort/ContinueAfterClientAbortLifetime.cs): the route's maximum while its
    // handler runs with a RequestAborted that ignores the client; null on every other request.
    public TimeSpan? ContinueMaximum { get; set; }

    public bool ContinuesAfterClientAbort => ContinueMaximum.HasValue;

    // The continued work was still running when the maximum passed, and RequestAborted was cancelled for it.
    public bool ContinuedWorkStoppedAtMaximum { get; set; }

    // True when the first write found the client already gone and set 499 before the response started.
    public bool AbortedBeforeStart { get; private set; }

    public HttpContext Context => _context!;

    // The middleware serving the request, for the continuation after an awaited handler (Status499Middleware.AwaitNext).
    public Status499Middleware Middleware { get; set; } = null!;

    // The handler's task while Status499Middleware.AwaitNext waits for it.
    public Task? PendingNext { get; set; }

    // The token check's own state (Tokens/TokenCheckState.cs), created on the first token route this state serves and
    // pooled with it: a state that only serves ClientClosedRequest routes never creates it.
    private TokenCheckState? _tokenCheck;

    public TokenCheckState? TokenCheck => _tokenCheck;

    public TokenCheckState BeginTokenCheck() => _tokenCheck ??= new TokenCheckState();

    internal IHttpResponseBodyFeature InnerBody => _innerBody!;

    // registerReturn: false when the TokenRouteGuard, in front of the whole pipeline, returns it (ReturnOnCompleted).
    // A host that never runs OnCompleted callbacks only costs an allocation: the state is then never reused.
    public static Status499RequestState Rent(HttpContext context, bool registerReturn)
    {
        var state = s_pool.Get();
        state._owners = 2;
        state.ResponseCompleted = false;
        if (registerReturn)
        {
            context.Response.OnCompleted(ReturnOnCompleted, context);
        }

        return state;
    }

    // The response completed while the pipeline was still running (see _owners): the middleware then records nothing
    // on a context the server may already have reset for the connection's next request.
    public bool ResponseCompleted { get; private set; }

    // Called by the middleware when it will not touch the state again, and by ReturnOnCompleted.
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            ReturnToPool();
        }
    }

    private void Detach()
    {
        if (_context is { } context)
        {
            var features = context.Features;
            if (ReferenceEquals(features.Get<IStatus499Feature>(), this))
            {
                features.Set<IStatus499Feature>(null);
            }

            if (_innerBody is not null && ReferenceEquals(features.Get<IHttpResponseBodyFeature>(), this))
            {
                features.Set(_innerBody);
            }
        }
    }

    private void ReturnToPool()
    {
        StopWatchingClientLeaving();

        // Dropped: references to the finished request, which an idle pooled state must not keep alive; the token check
        // also starts the next request NotChecked.
        _tokenCheck?.Clear();
        _context = null;
        _innerBody = null;
        PendingNext = null;
        Middleware = null!;
        s_pool.Return(this);
    }

    private sealed class Policy : PooledObjectPolicy<Status499RequestState>
    {
        public override Status499RequestState Create() => new();

        public override bool Return(Status499RequestState obj) => true;
    }

    public void Initialize(HttpContext context, Status499Meaning meaning, ClientAbort clientAbort, long startTimestamp)
    {
        _context = context;
        _clientAbort = clientAbort;
        _innerBody = null;
        _startObserved = false;
        Meaning = meaning;
        StartTimestamp = startTimestamp;
        AbortedBeforeStart = false;
        DisconnectPhase = ClientDisconnectPhase.None;
        ContinueMaximum = null;
        ContinuedWorkStoppedAtMaximum = false;
    }

    // Records the moment the client leaves, which can be long before a handler that ignores RequestAborted returns.
    // UnsafeRegister: no ExecutionContext capture. Kestrel reuses the RequestAborted source across the requests of a
    // connection (TryReset, github.com/dotnet/aspnetcore src/Servers/Kestrel/Core/src/Internal/Http/HttpProtocol.cs)
    // and CancellationTokenSource pools its callback nodes, so the steady state allocates nothing (docs/benchmarks.md).
    public void WatchClientLeaving()
    {
        Volatile.Write(ref _clientLeftTimestamp, 0);
        _clientLeftRegistration = _context!.RequestAborted.UnsafeRegister(static s => ((Status499RequestState)s!).OnClientLeft(), this);
    }

    // After Dispose the callback has either run or never will, so the timestamp read afterwards is final.
    public void StopWatchingClientLeaving()
    {
        _clientLeftRegistration.Dispose();
        _clientLeftRegistration = default;
    }

    private void OnClientLeft() => Interlocked.CompareExchange(ref _clientLeftTimestamp, Stopwatch.GetTimestamp(), 0);

    // The moment the client left. Kestrel cancels RequestAborted on the thread pool, so the middleware can notice the
    // abort before the callback ran: then the best moment known is now.
    public long ClientLeftTimestamp()
    {
        var left = Volatile.Read(ref _clientLeftTimestamp);
        if (left != 0)
        {
            return left;
        }

        Interlocked.CompareExchange(ref _clientLeftTimestamp, Stopwatch.GetTimestamp(), 0);
        return Volatile.Read(ref _clientLeftTimestamp);
    }

    public void WrapResponseBody()
    {
        var features = _context!.Features;
        var current = features.Get<IHttpResponseBodyFeature>()!;
        if (ReferenceEquals(current, this))
        {
            return;
        }

        _innerBody = current;
        features.Set<IHttpResponseBodyFeature>(this);
    }

    public void RestoreResponseBody()
    {
        if (_innerBody is not null)
        {
            _context!.Features.Set(_innerBody);
        }
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

    // Created on first use: a state that only ever serves token routes never creates them.
    Stream IHttpResponseBodyFeature.Stream => _stream ??= new ResponseStartObservingStream(this);

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= new ResponseStartObservingPipeWriter(this);

    void IHttpResponseBodyFeature.DisableBuffering() => _innerBody!.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken)
    {
        OnResponseStarting();
        return _innerBody!.StartAsync(cancellationToken);
    }

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        OnResponseStarting();
        return _innerBody!.SendFileAsync(path, offset, count, cancellationToken);
    }

    Task IHttpResponseBodyFeature.CompleteAsync()
    {
        OnResponseStarting();
        return _innerBody!.CompleteAsync();
    }
}
