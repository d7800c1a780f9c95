using System.Text.Encodings.Web;
using System.Text.Json;

namespace Status499.ArcGisErrors;

// The one way Status499 writes ArcGIS JSON: the same encoder everywhere, and the error envelope in ArcGIS's property
// order (code, message, messageCode, details). The relaxed encoder leaves quotes, '<', '>', '&' and non-ASCII letters
// as they are, as ArcGIS Server does (it answers "'username'" and not "\u0027username\u0027"); every body goes out as
// application/json with nosniff, never into HTML.
internal static class ArcGisJson
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    // f=pjson asks for indented JSON; every other f (json, html, none) gets compact JSON.
    public static bool IsPretty(string? f) => string.Equals(f, "pjson", StringComparison.OrdinalIgnoreCase);

    public static JsonWriterOptions Options(bool pretty) => pretty ? Indented : Compact;

    // {"error":{"code":499,"message":"...","messageCode":"...","details":["..."]}}
    public static void WriteError(Utf8JsonWriter writer, int code, string message, string? messageCode, ReadOnlySpan<string> details)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        if (messageCode is not null)
        {
            writer.WriteString("messageCode", messageCode);
        }

        writer.WriteStartArray("details");
        foreach (var detail in details)
        {
            writer.WriteStringValue(detail);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
