using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Status499.Diagnostics;
using Status499.Meanings;

namespace Status499.Tokens;

// Answers ASP.NET Core authorization's refusals on token routes the ArcGIS way. Without it, a policy that refuses a
// user whose token Status499 accepted calls ForbidAsync()/ChallengeAsync(), which throw (500) in an app with no
// authentication scheme and answer the scheme's own 401/403 otherwise, never the body ArcGIS clients read.
// On a token route whose token Status499 accepted, Forbidden and Challenged (the token's user is not authenticated)
// both mean "valid token, not enough": 403 with the ArcGIS body. A 498 would make ArcGIS clients fetch a new token
// and fail again. Every other result, and every other route, goes to the framework's handler (or the one it replaced).
internal sealed class TokenAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly IAuthorizationMiddlewareResultHandler _inner;
    private readonly TokenRequestHandler _tokens;
    private readonly MeaningResolver _resolver;
    private readonly ILogger _logger;

    public TokenAuthorizationResultHandler(TokenRequestHandler tokens, MeaningResolver resolver, ILoggerFactory loggerFactory)
        : this(new AuthorizationMiddlewareResultHandler(), tokens, resolver, loggerFactory)
    {
    }

    private TokenAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler inner, TokenRequestHandler tokens, MeaningResolver resolver, ILoggerFactory loggerFactory)
    {
        _inner = inner;
        _tokens = tokens;
        _resolver = resolver;
        _logger = loggerFactory.CreateLogger("Status499.TokenValidation");
    }

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return _inner.HandleAsync(next, context, policy, authorizeResult);
        }

        var feature = context.Features.Get<IStatus499Feature>();
        if (feature is { Meaning: Status499Meaning.TokenRequired } and ITokenCheckHolder { TokenCheck: { Outcome: TokenOutcome.Accepted } check })
        {
            return _tokens.RefuseAuthorizedTokenAsync(context, check, authorizeResult.Forbidden ? "forbidden" : "challenged");
        }

        // Authorization ran before UseStatus499(): the policy judged the request without the token's user. Refused
        // all the same (fail closed); the log says how to order the pipeline.
        if (feature is null && _resolver.Resolve(context) == Status499Meaning.TokenRequired)
        {
            Status499Log.AuthorizationBeforeTokenCheck(_logger, context.Request.Method, RequestDescription.PathOf(context));
        }

        return _inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
