using Microsoft.Extensions.Logging;

namespace Status499;

// EventIds and names are public contract: operators alert on them. Never add a parameter that can carry a token
// or a query string.
internal static partial class Status499Log
{
    [LoggerMessage(EventId = 1, EventName = "ClientClosedRequest",
        Message = "The client closed the request before the response started: {Method} {Path} (route {Route}) in the {Phase} phase after {ElapsedMilliseconds} ms; recorded as {StatusCode}.")]
    public static partial void ClientClosedRequest(ILogger logger, LogLevel level, string method, string path, string? route, string phase, double elapsedMilliseconds, int statusCode);

    [LoggerMessage(EventId = 2, EventName = "ClientClosedDuringResponse",
        Message = "The client closed the connection during the response: {Method} {Path} (route {Route}) after {ElapsedMilliseconds} ms; status {StatusCode} had already been sent.")]
    public static partial void ClientClosedDuringResponse(ILogger logger, LogLevel level, string method, string path, string? route, double elapsedMilliseconds, int statusCode);

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
}
