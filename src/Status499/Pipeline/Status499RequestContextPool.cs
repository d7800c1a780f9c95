using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.ObjectPool;
using Status499.ClientClosed;

namespace Status499.Pipeline;

// Request contexts are rented from a small bounded pool and returned when the response has completed (OnCompleted,
// after every middleware has returned and before the server disposes the HttpContext), as Kestrel pools its
// HttpContexts: the steady state allocates nothing per request, and an idle keep-alive connection holds no context at
// all (caching one per connection through IPersistentStateFeature cost ~800 B per connection, docs/benchmarks.md).
//
// Each rental has two owners: the middleware, until its last step, and the OnCompleted callback. Usually the
// middleware finishes first, but an outer middleware that stops awaiting its next (a home-made timeout that answers
// 504) completes the response while the pipeline still runs: the context must not serve another request meanwhile.
internal static class Status499RequestContextPool
{
    // A few per core: enough for the requests in flight on a busy server; beyond that a request allocates its own
    // context and the pool drops it on return.
    private static readonly ObjectPool<Status499RequestContext> s_pool =
        new DefaultObjectPool<Status499RequestContext>(new Policy(), Environment.ProcessorCount * 8);

    // The OnCompleted owner: the response is over, so nothing may reach the context through the request any more.
    // Registered by the TokenRouteGuard for every request when it is installed, by the middleware otherwise.
    public static readonly Func<object, Task> ReleaseOnCompleted = static context =>
    {
        if (((HttpContext)context).Features.Get<IStatus499Feature>() is Status499Feature feature)
        {
            var request = feature.Request;
            request.OnResponseCompleted();
            Release(request);
        }

        return Task.CompletedTask;
    };

    // registerRelease: false when the TokenRouteGuard, in front of the whole pipeline, registers ReleaseOnCompleted. A
    // host that never runs OnCompleted callbacks only costs an allocation: the context is then never reused.
    public static Status499RequestContext Rent(HttpContext context, Status499Meaning meaning, Status499Middleware middleware, bool registerRelease)
    {
        var request = s_pool.Get();
        request.Owners = 2;
        request.Begin(context, meaning, middleware);
        if (registerRelease)
        {
            context.Response.OnCompleted(ReleaseOnCompleted, context);
        }

        return request;
    }

    // Called once by each owner.
    public static void Release(Status499RequestContext request)
    {
        if (Interlocked.Decrement(ref request.Owners) == 0)
        {
            request.Clear();
            s_pool.Return(request);
        }
    }

    private sealed class Policy : PooledObjectPolicy<Status499RequestContext>
    {
        public override Status499RequestContext Create() => new();

        public override bool Return(Status499RequestContext obj) => true;
    }
}
