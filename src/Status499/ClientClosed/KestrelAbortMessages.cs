namespace Status499.ClientClosed;

// The texts of the exceptions Kestrel ends a request with, which are the only per-request record of why it ended
// (Kestrel's own connection end reason is internal: ConnectionEndReason, .NET 9+). Copied from Kestrel's resource file
// (github.com/dotnet/aspnetcore src/Servers/Kestrel/Core/src/CoreStrings.resx, resource named after each constant;
// identical in 8.0, 9.0 and 10.0, and shipped without translations). KestrelAbortMessagesTests pins each one against
// the running Kestrel, so a runtime that changes one fails loudly instead of misclassifying quietly.
internal static class KestrelAbortMessages
{
    // ConnectionTimedBecauseResponseMininumDataRateNotSatisfied (MinResponseDataRate).
    public const string ResponseMinimumDataRate = "The connection was timed out by the server because the response was not read by the client at the specified minimum data rate.";

    // BadRequest_RequestBodyTimeout (MinRequestBodyDataRate).
    public const string RequestBodyTimeout = "Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.";

    // ConnectionAbortedDuringServerShutdown.
    public const string ServerShutdown = "The connection was aborted because the server is shutting down and request processing didn't complete within the time specified by HostOptions.ShutdownTimeout.";

    // ConnectionAbortedByApplication (HttpContext.Abort() on HTTP/1.1).
    public const string AbortedByApplication = "The connection was aborted by the application.";

    // Http2StreamResetByApplication / Http3StreamResetByApplication: "The HTTP/2 stream was reset by the application
    // with error code {errorCode}." (IHttpResetFeature.Reset).
    public const string Http2StreamResetByApplicationPrefix = "The HTTP/2 stream was reset by the application";

    public const string Http3StreamResetByApplicationPrefix = "The HTTP/3 stream was reset by the application";

    // ConnectionTimedOutByServer (IConnectionTimeoutFeature, the drain timeout).
    public const string TimedOutByServer = "The connection was timed out by the server.";

    // ConnectionAbortedByClient (HTTP/1.1 FinOnError).
    public const string AbortedByClient = "The client closed the connection.";

    // HttpStreamResetByClient (an HTTP/2 RST_STREAM or an HTTP/3 stream reset from the client).
    public const string StreamResetByClient = "The client reset the request stream.";

    // Http2ConnectionFaulted: the HTTP/2 connection ended; its inner exception, if any, says how.
    public const string Http2ConnectionFaulted = "The HTTP/2 connection faulted.";

    // BadRequest_UnexpectedEndOfRequestContent: the client closed its side while the body was read (a FIN).
    public const string UnexpectedEndOfRequestContent = "Unexpected end of request content.";
}
