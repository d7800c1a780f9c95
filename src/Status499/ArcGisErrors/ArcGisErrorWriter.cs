using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Status499.ArcGisErrors;

// Chooses the format and status line of a token error, then writes a pre-encoded body.
internal sealed class ArcGisErrorWriter
{
    private const int MaxCallbackLength = 128;
    private static readonly byte[] s_jsonpClose = ");"u8.ToArray();

    private static ReadOnlySpan<byte> JsonpGuard => "/**/"u8;

    private readonly ArcGisErrorBodies _bodies;
    private readonly TokenErrorStatusMode _statusMode;
    private readonly bool _enableJsonp;
    private readonly bool _preferProblemDetails;

    public ArcGisErrorWriter(ArcGisErrorSettings settings)
    {
        _bodies = new ArcGisErrorBodies(settings);
        _statusMode = settings.StatusMode;
        _enableJsonp = settings.EnableJsonp;
        _preferProblemDetails = settings.PreferProblemDetails;
    }

    public int Code(ArcGisError error) => _bodies.Code(error);

    public Task WriteAsync(HttpContext context, ArcGisError error)
    {
        var request = context.Request;
        var response = context.Response;
        var f = ArcGisRequestParameters.Read(context, "f");
        var format = SelectFormat(request, f);
        var arcGisStyle = IsArcGisStyle(f);

        var useStatusLine = _statusMode switch
        {
            TokenErrorStatusMode.ArcGisCompatible => false,
            TokenErrorStatusMode.StatusCode => true,
            _ => !arcGisStyle,
        };

        response.Clear();
        if (useStatusLine)
        {
            response.StatusCode = _bodies.Code(error);

            // Kestrel's own phrase for 499 is "Client Closed Request"; ArcGIS's meaning needs its own.
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = _bodies.ReasonPhrase(error);
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var body = _bodies.Body(error, format);

        if (_enableJsonp && format is ArcGisErrorFormat.Json or ArcGisErrorFormat.PrettyJson
            && ArcGisRequestParameters.Read(context, "callback") is { } callback && IsSafeCallback(callback))
        {
            response.ContentType = "application/javascript; charset=utf-8";
            return WriteJsonpAsync(response, callback, body);
        }

        response.ContentType = format switch
        {
            ArcGisErrorFormat.Html => "text/html; charset=utf-8",
            ArcGisErrorFormat.ProblemJson => "application/problem+json; charset=utf-8",
            ArcGisErrorFormat.Text => "text/plain; charset=utf-8",
            _ => "application/json; charset=utf-8",
        };
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    private static async Task WriteJsonpAsync(HttpResponse response, string callback, ReadOnlyMemory<byte> body)
    {
        // The callback is a validated ASCII identifier, so its bytes are its characters. The leading empty comment
        // keeps the body from starting with attacker-chosen bytes (the "Rosetta Flash" content-sniffing attack).
        var prefix = new byte[JsonpGuard.Length + callback.Length + 1];
        JsonpGuard.CopyTo(prefix);
        for (var i = 0; i < callback.Length; i++)
        {
            prefix[JsonpGuard.Length + i] = (byte)callback[i];
        }

        prefix[^1] = (byte)'(';
        response.ContentLength = prefix.Length + body.Length + s_jsonpClose.Length;
        await response.Body.WriteAsync(prefix);
        await response.Body.WriteAsync(body);
        await response.Body.WriteAsync(s_jsonpClose);
    }

    private ArcGisErrorFormat SelectFormat(HttpRequest request, string? f)
    {
        if (f is not null)
        {
            if (f.Equals("pjson", StringComparison.OrdinalIgnoreCase)) return ArcGisErrorFormat.PrettyJson;
            if (f.Equals("html", StringComparison.OrdinalIgnoreCase)) return ArcGisErrorFormat.Html;
            return ArcGisErrorFormat.Json;
        }

        var accept = request.Headers.Accept;
        if (_preferProblemDetails || AcceptsMediaType(accept, "application/problem+json"))
        {
            return ArcGisErrorFormat.ProblemJson;
        }

        if (AcceptsMediaType(accept, "text/plain") && !AcceptsMediaType(accept, "application/json") && !AcceptsMediaType(accept, "*/*")
            && !AcceptsMediaType(accept, "application/*"))
        {
            return ArcGisErrorFormat.Text;
        }

        return ArcGisErrorFormat.Json;
    }

    // arcgis-rest-request only runs its auth-error check for f=json and f=geojson (request.js, checkForErrors).
    private static bool IsArcGisStyle(string? f)
        => f is not null && (f.Equals("json", StringComparison.OrdinalIgnoreCase)
            || f.Equals("pjson", StringComparison.OrdinalIgnoreCase)
            || f.Equals("geojson", StringComparison.OrdinalIgnoreCase));

    private static bool AcceptsMediaType(StringValues accept, string mediaType)
    {
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var parsed))
        {
            return false;
        }

        foreach (var value in parsed)
        {
            if (value.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) && value.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }

    // JavaScript identifiers and dotted paths only (a.b.c), ASCII, bounded: nothing that could close the call.
    internal static bool IsSafeCallback(string callback)
    {
        if (callback.Length is 0 or > MaxCallbackLength)
        {
            return false;
        }

        var expectStart = true;
        foreach (var c in callback)
        {
            if (c == '.')
            {
                if (expectStart)
                {
                    return false;
                }

                expectStart = true;
                continue;
            }

            var isStart = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or '$';
            if (expectStart ? !isStart : !(isStart || c is >= '0' and <= '9'))
            {
                return false;
            }

            expectStart = false;
        }

        return !expectStart;
    }
}
