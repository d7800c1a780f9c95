using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Status499.Diagnostics;
using Status499.Meanings;
using Status499.Tokens;

namespace Status499.Pipeline;

// The backstop of the token layer, whatever the pipeline looks like. Installed by AddStatus499() as the outermost
// middleware (Status499StartupFilter), it looks at every response as it starts: a success on a TokenRequired route
// (endpoint metadata, a MapRoute pattern or the default, resolved as the middleware resolves them) whose token
// check never ran is refused. That covers every declaration form at once and the orders no startup check can see:
// UseStaticFiles(), a proxy or any middleware answering before UseStatus499(), or UseStatus499() in a branch the
// request did not take. Throwing from OnStarting makes Kestrel abort the write and answer 500 with no body
// (HttpProtocol.InitializeResponseAsync), so the content never leaves.
internal sealed class TokenRouteGuard
{
    public const string ServicesMissingMessage =
        "An endpoint requires a token, but Status499's services are not registered, so nothing would check it. " +
        "Call builder.Services.AddStatus499(...) with a token validator, and app.UseStatus499().";

    public const string UnguardedResponseMessage =
        "A response on a TokenRequired route was about to be sent, but Status499's token check never ran for this request. " +
        "Call app.UseStatus499() after app.UseRouting() and before any middleware that can answer requests on token routes " +
        "(UseStaticFiles, a reverse proxy, custom middleware); the response was refused.";

    private readonly RequestDelegate _next;
    private readonly MeaningResolver _resolver;
    private readonly ILogger _logger;
    private readonly Func<object, Task> _checkOnStarting;

    public TokenRouteGuard(RequestDelegate next, MeaningResolver resolver, ILoggerFactory loggerFactory)
    {
        _next = next;
        _resolver = resolver;
        _logger = loggerFactory.CreateLogger("Status499.TokenValidation");
        _checkOnStarting = CheckOnStarting;
    }

    public Task InvokeAsync(HttpContext context)
    {
        // Kestrel keeps the OnStarting and OnCompleted stacks across the requests of a connection: no allocation per
        // request. Registered first, the OnCompleted callback runs after every other one (they run last-in first-out),
        // so the request state stays readable in the app's own OnCompleted callbacks.
        context.Response.OnStarting(_checkOnStarting, context);
        context.Response.OnCompleted(Status499RequestContextPool.ReleaseOnCompleted, context);
        return _next(context);
    }

    private Task CheckOnStarting(object state)
    {
        var context = (HttpContext)state;
        if (!IsUnguardedTokenRouteResponse(context))
        {
            return Task.CompletedTask;
        }

        Status499Log.UnguardedTokenRouteResponse(_logger, context.Request.Method, RequestDescription.PathOf(context), context.Response.StatusCode);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status500InternalServerError;
        response.Headers.Clear();
        throw new InvalidOperationException(UnguardedResponseMessage);
    }

    private bool IsUnguardedTokenRouteResponse(HttpContext context)
    {
        // The token check ran: it let the request in, or the response is its own refusal.
        if (context.Features.Get<IStatus499Feature>() is { TokenOutcome: not TokenOutcome.NotChecked })
        {
            return false;
        }

        // Only a success can carry protected content. Redirects and errors answered by outer middleware (HTTPS
        // redirection, rate limiting, a 404) carry none.
        var status = context.Response.StatusCode;
        if (status >= 300 || IsCorsPreflightAnswer(context, status))
        {
            return false;
        }

        return _resolver.Resolve(context) == Status499Meaning.TokenRequired;
    }

    // UseCors() answers a preflight itself, before any token check, with 204 and no body. The request's headers alone
    // prove nothing (anyone can send them, and an endpoint, a short-circuit or outer middleware may answer OPTIONS
    // with the content): only an answer that cannot carry content passes. 204 is the one status whose body Kestrel
    // refuses (on every protocol), and the status cannot change once the response starts, which is now. A 200 with
    // "Content-Length: 0" would be body-free too, but UseCors() never sends it, so it stays refused.
    private static bool IsCorsPreflightAnswer(HttpContext context, int status)
    {
        var request = context.Request;
        return status == StatusCodes.Status204NoContent
            && HttpMethods.IsOptions(request.Method)
            && request.Headers.ContainsKey("Origin")
            && request.Headers.ContainsKey("Access-Control-Request-Method");
    }
}
