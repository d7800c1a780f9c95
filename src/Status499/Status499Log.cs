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
}
