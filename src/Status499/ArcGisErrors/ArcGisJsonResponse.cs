using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Status499.ArcGisErrors;

// Writes the JSON answers of the ArcGIS endpoints: HTTP 200 (ArcGIS clients read the body, errors included) unless a
// caller needs a real status (429),
// never cached, indented for f=pjson (ArcGisJson).
internal static class ArcGisJsonResponse
{
    public static Task WriteAsync<TState>(HttpContext context, bool pretty, TState state, Action<Utf8JsonWriter, TState> write, int statusCode = StatusCodes.Status200OK)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ArcGisJson.Options(pretty)))
        {
            write(writer, state);
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    // {"error":{"code":400,"message":"...","details":["..."]}}, the shape ArcGIS and its clients use.
    public static Task WriteErrorAsync(HttpContext context, bool pretty, int code, string message, params string[] details)
        => WriteErrorWithStatusAsync(context, pretty, StatusCodes.Status200OK, code, message, details);

    // The same body with a real HTTP status, for the few answers that proxies and HTTP clients must see (429).
    public static Task WriteErrorWithStatusAsync(HttpContext context, bool pretty, int statusCode, int code, string message, params string[] details)
        => WriteAsync(context, pretty, (code, message, details), static (writer, error) => ArcGisJson.WriteError(writer, error.code, error.message, null, error.details), statusCode);
}
