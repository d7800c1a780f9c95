using Microsoft.Extensions.Logging;

namespace Status499.Diagnostics;

// EventIds and names are public contract: operators alert on them. Never add a parameter that can carry a token
// or a query string.
internal static partial class Status499Log
{
    // One event for every phase: before the response started (request_body, handler) the status is the 499 recorded;
    // in the response phase it is the status that had already been sent. EventId 2 is retired, never reuse it.
    // QueueWaitMilliseconds: how long of it the request waited in UseRateLimiter()'s queue (HAProxy's Tw), 0 if it did not.
    [LoggerMessage(EventId = 1, EventName = "ClientClosedRequest",
        Message = "The client closed the request in the {Phase} phase ({Termination}): {Method} {Path} (route {Route}) after {ElapsedMilliseconds} ms ({QueueWaitMilliseconds} ms in the rate limiter queue); recorded as {StatusCode}.")]
    public static partial void ClientClosedRequest(ILogger logger, LogLevel level, string method, string path, string? route, string phase, string termination, double elapsedMilliseconds, double queueWaitMilliseconds, int statusCode);

    // The pipeline went on after the client left (a handler that ignores RequestAborted), for at least
    // Status499Options.WastedWorkLogThreshold: server time spent on an answer nobody reads.
    [LoggerMessage(EventId = 3, EventName = "WorkAfterClientLeft", Level = LogLevel.Warning,
        Message = "{Method} {Path} (route {Route}) kept running {WastedMilliseconds} ms after the client left.")]
    public static partial void WorkAfterClientLeft(ILogger logger, string method, string path, string? route, double wastedMilliseconds);

    // On a ContinueAfterClientAbort route the work after the client left was wanted: Information instead of
    // WorkAfterClientLeft, logged whenever the client left before the work ended.
    [LoggerMessage(EventId = 4, EventName = "WorkContinuedAfterClientLeft", Level = LogLevel.Information,
        Message = "{Method} {Path} (route {Route}) went on {ContinuedMilliseconds} ms after the client left, as declared by ContinueAfterClientAbort (maximum {MaximumMilliseconds} ms).")]
    public static partial void WorkContinuedAfterClientLeft(ILogger logger, string method, string path, string? route, double continuedMilliseconds, double maximumMilliseconds);

    // The continued work was still running at the route's maximum, so RequestAborted was cancelled: work the route
    // wanted finished may have stopped halfway.
    [LoggerMessage(EventId = 5, EventName = "ContinuedWorkStoppedAtMaximum", Level = LogLevel.Warning,
        Message = "{Method} {Path} (route {Route}) was still running {MaximumMilliseconds} ms after the client left, the ContinueAfterClientAbort maximum; its RequestAborted was cancelled.")]
    public static partial void ContinuedWorkStoppedAtMaximum(ILogger logger, string method, string path, string? route, double maximumMilliseconds);

    // The server, not the client, ended the request early: Kestrel cut a client too slow for its minimum data rates,
    // shutdown, a request timeout, the app's own abort. The status is not rewritten, and not logged: an outer
    // UseRequestTimeouts() sets its 504 only after this is logged; the hosting log has the final one.
    [LoggerMessage(EventId = 6, EventName = "RequestEndedByServer", Level = LogLevel.Information,
        Message = "The server ended the request in the {Phase} phase ({Termination}): {Method} {Path} (route {Route}) after {ElapsedMilliseconds} ms.")]
    public static partial void RequestEndedByServer(ILogger logger, string method, string path, string? route, string phase, string termination, double elapsedMilliseconds);

    [LoggerMessage(EventId = 10, EventName = "TokenMissing", Level = LogLevel.Debug,
        Message = "No token on {Method} {Path}: answered 499 Token Required.")]
    public static partial void TokenMissing(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 11, EventName = "TokenInvalid", Level = LogLevel.Information,
        Message = "Invalid token from {TokenSource} on {Method} {Path}: answered 498 Invalid Token.")]
    public static partial void TokenInvalid(ILogger logger, string tokenSource, string method, string path);

    [LoggerMessage(EventId = 12, EventName = "TokenExpired", Level = LogLevel.Information,
        Message = "Expired token from {TokenSource} on {Method} {Path}: answered 498 Invalid Token.")]
    public static partial void TokenExpired(ILogger logger, string tokenSource, string method, string path);

    [LoggerMessage(EventId = 13, EventName = "TokenForbidden", Level = LogLevel.Information,
        Message = "Valid token from {TokenSource} is not allowed on {Method} {Path}: answered 403.")]
    public static partial void TokenForbidden(ILogger logger, string tokenSource, string method, string path);

    [LoggerMessage(EventId = 14, EventName = "TokenMalformed", Level = LogLevel.Information,
        Message = "The token of {Method} {Path} could not be read ({Reason}): answered 400.")]
    public static partial void TokenMalformed(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 15, EventName = "TokenValidatorFailed", Level = LogLevel.Error,
        Message = "The token validator {Validator} threw {ExceptionType} on {Method} {Path}; the request was refused (fail closed).")]
    public static partial void TokenValidatorFailed(ILogger logger, Exception? exception, string validator, string? exceptionType, string method, string path);

    [LoggerMessage(EventId = 16, EventName = "TokenValidatorTimedOut", Level = LogLevel.Error,
        Message = "The token validator {Validator} did not answer within {TimeoutMilliseconds} ms on {Method} {Path}; the request was refused (fail closed).")]
    public static partial void TokenValidatorTimedOut(ILogger logger, string validator, string method, string path, double timeoutMilliseconds);

    [LoggerMessage(EventId = 17, EventName = "NoTokenValidator", Level = LogLevel.Error,
        Message = "{Method} {Path} requires a token but no ITokenValidator is registered; the request was refused. Call AddStatus499().AddTokenValidator(...).")]
    public static partial void NoTokenValidator(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 18, EventName = "UnguardedTokenRouteResponse", Level = LogLevel.Error,
        Message = "{Method} {Path} is a TokenRequired route, but its {StatusCode} response was about to be sent without Status499's token check; it was refused with 500. Call app.UseStatus499() after app.UseRouting() and before any middleware that answers token routes (UseStaticFiles, a reverse proxy).")]
    public static partial void UnguardedTokenRouteResponse(ILogger logger, string method, string path, int statusCode);

    // ArcGIS token service (generateToken, signed tokens). Never the password or the token; the username only at Debug.
    // EventId 30 (SigningKeyGenerated) is retired, never reuse it: signed tokens use the Data Protection key ring, and
    // Data Protection itself warns when its keys are not persisted or not encrypted at rest.
    [LoggerMessage(EventId = 31, EventName = "TokenIssued", Level = LogLevel.Debug,
        Message = "generateToken issued a token to {Username}, bound to {Binding}, expiring at {ExpiresAt:o}.")]
    public static partial void TokenIssued(ILogger logger, string username, string binding, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 32, EventName = "TokenNotIssued", Level = LogLevel.Information,
        Message = "generateToken refused the request ({Reason}).")]
    public static partial void TokenNotIssued(ILogger logger, string reason);

    [LoggerMessage(EventId = 33, EventName = "InvalidCredentials", Level = LogLevel.Debug,
        Message = "generateToken: invalid username or password for the username with hash {UsernameHash}.")]
    public static partial void InvalidCredentials(ILogger logger, string usernameHash);

    [LoggerMessage(EventId = 34, EventName = "TokenIssuerFailed", Level = LogLevel.Error,
        Message = "The token issuer {Issuer} threw {ExceptionType}; generateToken answered an error.")]
    public static partial void TokenIssuerFailed(ILogger logger, Exception? exception, string issuer, string? exceptionType);

    // generateToken brute-force protection (40-49). The account is named by UsernameHash, the first 12 hex digits of an
    // HMAC of the folded username under a key made at startup (UsernameDigest): enough to tell within one run which
    // lockouts hit one account, without putting usernames (often e-mail addresses, sometimes a password typed in the
    // wrong box) or a hash that can be tested against guesses into logs.
    [LoggerMessage(EventId = 40, EventName = "GenerateTokenLockoutStarted", Level = LogLevel.Warning,
        Message = "generateToken locked out the username with hash {UsernameHash} for {LockoutSeconds} s after {FailedAttempts} failed attempts; the last came from {ClientAddress}.")]
    public static partial void GenerateTokenLockoutStarted(ILogger logger, string usernameHash, double lockoutSeconds, int failedAttempts, string? clientAddress);

    [LoggerMessage(EventId = 41, EventName = "GenerateTokenRateLimited", Level = LogLevel.Debug,
        Message = "generateToken refused a request from {ClientAddress}: too many requests from this address; retry after {RetryAfterSeconds} s.")]
    public static partial void GenerateTokenRateLimited(ILogger logger, string? clientAddress, int retryAfterSeconds);

    [LoggerMessage(EventId = 42, EventName = "GenerateTokenLockoutStoreFailed", Level = LogLevel.Error,
        Message = "The lockout store (IDistributedCache {Cache}) threw {ExceptionType}; generateToken refuses to issue tokens (fail closed) until it answers again. Further failures are logged at Debug (EventId 44).")]
    public static partial void GenerateTokenLockoutStoreFailed(ILogger logger, Exception exception, string cache, string? exceptionType);

    [LoggerMessage(EventId = 43, EventName = "GenerateTokenLockoutStoreRecovered", Level = LogLevel.Information,
        Message = "The lockout store (IDistributedCache {Cache}) answers again after {OutageSeconds} s; generateToken refused {RefusedRequests} requests meanwhile.")]
    public static partial void GenerateTokenLockoutStoreRecovered(ILogger logger, string cache, double outageSeconds, long refusedRequests);

    [LoggerMessage(EventId = 44, EventName = "GenerateTokenLockoutStoreStillFailing", Level = LogLevel.Debug,
        Message = "The lockout store (IDistributedCache {Cache}) still fails ({ExceptionType}); generateToken refused the request (fail closed).")]
    public static partial void GenerateTokenLockoutStoreStillFailing(ILogger logger, string cache, string? exceptionType);

    // What a newcomer meets (70-74): authorization refusals on token routes and pipeline mistakes no startup error can
    // prove.
    [LoggerMessage(EventId = 70, EventName = "TokenAuthorizationRefused", Level = LogLevel.Information,
        Message = "Valid token from {TokenSource} on {Method} {Path} was refused by authorization ({AuthorizationResult}): answered 403.")]
    public static partial void TokenAuthorizationRefused(ILogger logger, string tokenSource, string method, string path, string authorizationResult);

    [LoggerMessage(EventId = 71, EventName = "AuthorizationBeforeTokenCheck", Level = LogLevel.Error,
        Message = "{Method} {Path} is a TokenRequired route, but authorization refused it before Status499 checked its token, so the policy never saw the token's user; the refusal was left to ASP.NET Core. Call app.UseAuthorization() after app.UseStatus499().")]
    public static partial void AuthorizationBeforeTokenCheck(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 72, EventName = "MiddlewareNotAdded", Level = LogLevel.Warning,
        Message = "AddStatus499() was called but app.UseStatus499() was not: no client-closed request is recorded as 499. Call app.UseStatus499() after app.UseRouting(), after the middleware that should see the 499 (UseHttpLogging(), UseExceptionHandler()).")]
    public static partial void MiddlewareNotAdded(ILogger logger);

    [LoggerMessage(EventId = 73, EventName = "HttpLoggingAfterStatus499", Level = LogLevel.Warning,
        Message = "UseHttpLogging() runs after app.UseStatus499(), so it logs a client-closed request with the status the handler set (often 200) while Status499 records 499. Call app.UseStatus499() after app.UseHttpLogging(). Logged once.")]
    public static partial void HttpLoggingAfterStatus499(ILogger logger);

    [LoggerMessage(EventId = 74, EventName = "RateLimiterBeforeStatus499", Level = LogLevel.Warning,
        Message = "UseRateLimiter() runs before app.UseStatus499(), so a client that leaves while its request waits in the rate limiter queue is not recorded (the limiter returns without calling the rest of the pipeline, and outer middleware see a 200), and no queue wait is recorded. Call app.UseStatus499() before app.UseRateLimiter(). Logged once.")]
    public static partial void RateLimiterBeforeStatus499(ILogger logger);
}
