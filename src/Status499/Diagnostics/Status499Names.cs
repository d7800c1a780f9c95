using Microsoft.AspNetCore.Http;
using Status499.ClientClosed;

namespace Status499.Diagnostics;

// Stable, lower-case names used in metric tags, trace tags and log properties. Constant strings: no allocation.
internal static class Status499Names
{
    public static string Of(ClientDisconnectPhase phase) => phase switch
    {
        ClientDisconnectPhase.RequestBody => "request_body",
        ClientDisconnectPhase.Handler => "handler",
        ClientDisconnectPhase.Response => "response",
        ClientDisconnectPhase.Queued => "queued",
        _ => "none",
    };

    public static string Of(RequestTermination termination) => termination switch
    {
        RequestTermination.ClientClosed => "client_closed",
        RequestTermination.ClientReset => "client_reset",
        RequestTermination.ClientAborted => "client_aborted",
        RequestTermination.ClientStreamReset => "client_stream_reset",
        RequestTermination.ClientTooSlow => "client_too_slow",
        RequestTermination.ServerShutdown => "server_shutdown",
        RequestTermination.RequestTimeout => "request_timeout",
        RequestTermination.ApplicationAbort => "application_abort",
        RequestTermination.ServerTimeout => "server_timeout",
        RequestTermination.ProtocolError => "protocol_error",
        _ => "none",
    };

    public static string Of(Status499Meaning meaning) => meaning switch
    {
        Status499Meaning.ClientClosedRequest => "client_closed_request",
        Status499Meaning.TokenRequired => "token_required",
        _ => "none",
    };

    // OpenTelemetry's http.request.method: the known methods as sent, anything else "_OTHER", which keeps the
    // tag's cardinality bounded against clients that invent methods.
    public static string NormalizeMethod(string method)
    {
        if (HttpMethods.IsGet(method)) return HttpMethods.Get;
        if (HttpMethods.IsPost(method)) return HttpMethods.Post;
        if (HttpMethods.IsPut(method)) return HttpMethods.Put;
        if (HttpMethods.IsDelete(method)) return HttpMethods.Delete;
        if (HttpMethods.IsHead(method)) return HttpMethods.Head;
        if (HttpMethods.IsOptions(method)) return HttpMethods.Options;
        if (HttpMethods.IsPatch(method)) return HttpMethods.Patch;
        if (HttpMethods.IsTrace(method)) return HttpMethods.Trace;
        if (HttpMethods.IsConnect(method)) return HttpMethods.Connect;
        return "_OTHER";
    }
}
