using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Status499.ClientClosed;

namespace Status499.Mvc;

// Keeps a client's abort away from the app's MVC exception filters. A filter that logs every exception (the common
// pattern, and what ABP-style frameworks ship) would log the OperationCanceledException of a handler that honoured
// RequestAborted, or the IOException of a body the client stopped sending during model binding, as an Error.
//
// Exception filters unwind: MVC nests them in their sort order (Order, then scope: global, controller, action) and
// calls OnException from the innermost out, each only while the exception is unhandled (ResourceInvoker,
// State.ExceptionSyncEnd/ExceptionAsyncResume). So the filter with the highest Order runs first, and one with
// Order int.MinValue last. This one is global with Order int.MaxValue, added after every other global filter
// (Status499MvcOptionsSetup), so it runs before any filter with a lower Order, at any scope (a controller, action or
// page filter with Order int.MaxValue itself sorts after it and runs first). They cover model binding too: binding runs
// inside them (ControllerActionInvoker, State.ActionBegin), unlike action filters.
//
// It does not swallow the abort. It marks it handled, so no other exception filter runs, and leaves a result that
// throws it again, unchanged: the result runs after the exception filters, so the abort reaches UseStatus499() as if
// MVC had no exception filter, and the middleware records it as it does everywhere else (499, phase, signals, the
// connection aborted after a lost request body, Kestrel's own 499 on token routes). Any other exception, a request
// timeout, shutdown, or an OperationCanceledException of the handler's own while the client is still there, reaches
// the app's filters as before: the rule is ClientAbort's, the middleware's.
internal sealed class ClientAbortExceptionFilter : IAsyncExceptionFilter, IOrderedFilter
{
    private readonly ClientAbort _clientAbort;

    public ClientAbortExceptionFilter(ClientAbort clientAbort) => _clientAbort = clientAbort;

    public int Order => int.MaxValue;

    public Task OnExceptionAsync(ExceptionContext context)
    {
        var exception = context.Exception;

        // Only where UseStatus499() serves the request (not None routes, nor an app without the middleware): there
        // the app asked for no help, and MVC's usual path stands.
        if (!ClientAbort.IsAbortException(exception) || context.HttpContext.Features.Get<IStatus499Feature>() is null)
        {
            return Task.CompletedTask;
        }

        var gone = _clientAbort.IsClientGoneAsync(exception, context.HttpContext);
        if (gone.IsCompletedSuccessfully)
        {
            PassToMiddleware(context, gone.Result);
            return Task.CompletedTask;
        }

        return AwaitClientGone(context, gone);
    }

    private static async Task AwaitClientGone(ExceptionContext context, ValueTask<bool> gone)
        => PassToMiddleware(context, await gone);

    private static void PassToMiddleware(ExceptionContext context, bool clientGone)
    {
        if (clientGone)
        {
            context.Result = new RethrowClientAbortResult(context.ExceptionDispatchInfo ?? ExceptionDispatchInfo.Capture(context.Exception));
            context.ExceptionHandled = true;
        }
    }
}
