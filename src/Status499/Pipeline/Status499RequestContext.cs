using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Status499.ClientClosed;
using Status499.ContinueAfterClientAbort;
using Status499.Tokens;

namespace Status499.Pipeline;

// Everything the middleware keeps about one request it serves, from the moment the request reaches UseStatus499()
// until the response has completed. Pooled (Status499RequestContextPool); each part is owned by its feature folder:
// the app-facing feature (Status499Feature), the client-left clock and the response body wrapper (ClientClosed/),
// the ContinueAfterClientAbort record, and the token check's reusable objects (Tokens/).
internal sealed class Status499RequestContext
{
    private HttpContext? _httpContext;

    // Owners of the current rental (Status499RequestContextPool).
    internal int Owners;

    public Status499RequestContext()
    {
        Feature = new Status499Feature(this);
    }

    public HttpContext HttpContext => _httpContext!;

    public Status499Feature Feature { get; }

    public Status499Meaning Meaning => Feature.Meaning;

    // The middleware serving the request, for the continuation after an awaited handler (Status499Middleware.AwaitNext).
    public Status499Middleware Middleware { get; private set; } = null!;

    // Stopwatch timestamp of the moment the request reached UseStatus499().
    public long StartTimestamp { get; private set; }

    public ClientLeftClock ClientLeft { get; } = new();

    // Wrapped only on ClientClosedRequest routes.
    public ClientClosedResponseBody ResponseBody { get; } = new();

    public ContinuedWork ContinuedWork { get; } = new();

    // In front of the server's IHttpRequestLifetimeFeature while the middleware serves the request (not on upgrades).
    public RequestLifetimeRecorder Lifetime { get; } = new();

    // The handler's task while Status499Middleware.AwaitNext waits for it.
    public Task? PendingNext { get; set; }

    // Its wait in UseRateLimiter()'s queue ended because the client left (RateLimiterQueueObserver): the limiter then
    // returned without calling next, so the request is recorded in the queued phase.
    public bool LeftRateLimiterQueue { get; set; }

    // The response completed while the pipeline was still running (see Status499RequestContextPool): the middleware
    // then records nothing on a context the server may already have reset for the connection's next request.
    public bool ResponseCompleted { get; private set; }

    // The token check's own state (Tokens/TokenCheckState.cs), created on the first token route this context serves
    // and pooled with it: a context that only serves ClientClosedRequest routes never creates it.
    public TokenCheckState? TokenCheck { get; private set; }

    public TokenCheckState BeginTokenCheck() => TokenCheck ??= new TokenCheckState();

    internal void Begin(HttpContext context, Status499Meaning meaning, Status499Middleware middleware)
    {
        _httpContext = context;
        Middleware = middleware;
        ResponseCompleted = false;
        LeftRateLimiterQueue = false;
        StartTimestamp = Stopwatch.GetTimestamp();
        Feature.Reset(meaning);
        ContinuedWork.Reset();
        context.Features.Set<IStatus499Feature>(Feature);
    }

    // OnCompleted: take the context off the request, so that nothing reaches it once it serves another.
    internal void OnResponseCompleted()
    {
        ResponseCompleted = true;
        var features = HttpContext.Features;
        if (ReferenceEquals(features.Get<IStatus499Feature>(), Feature))
        {
            features.Set<IStatus499Feature>(null);
        }

        ResponseBody.UnwrapIfCurrent();
        Lifetime.Uninstall();
    }

    // Back to the pool: drop every reference to the finished request, which an idle pooled context must not keep alive.
    internal void Clear()
    {
        ClientLeft.Stop();
        ResponseBody.Clear();
        Lifetime.Clear();

        // Also what starts the next request's token check NotChecked.
        TokenCheck?.Clear();
        _httpContext = null;
        PendingNext = null;
        Middleware = null!;
    }
}
