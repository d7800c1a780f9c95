using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Status499.ClientClosed;

namespace Status499.Tokens;

// Reads an application/x-www-form-urlencoded body for the library's own use (a token field, generateToken's
// credentials), telling apart the three ways it can fail: undecodable input (the client's fault, a 400 answer, never
// a 500), a client that left (a 499, decided by ClientAbort like everywhere else), and a body Kestrel rejected (its
// 408, 413 or 400, answered here so that no caller rethrows it into an Error log).
internal static class FormReader
{
    // options: limits of the caller's own (FormOptions' field counts and lengths), used unless the form was read already.
    public static async ValueTask<FormRead> ReadAsync(HttpContext context, ClientAbort clientAbort, FormOptions? options = null)
    {
        try
        {
            var form = options is null
                ? await context.Request.ReadFormAsync(context.RequestAborted)
                : await context.Request.ReadFormAsync(options, context.RequestAborted);
            return new FormRead(form, FormReadStatus.Read);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or ArgumentException or DecoderFallbackException)
        {
            // Over FormOptions limits, an unknown charset (e.g. charset=utf-7) or undecodable bytes.
            return new FormRead(null, FormReadStatus.Unreadable);
        }
        catch (Exception ex) when (ClientAbort.IsAbortException(ex))
        {
            if (await clientAbort.IsClientGoneAsync(ex, context))
            {
                return new FormRead(null, FormReadStatus.ClientLeftReadingBody);
            }

            if (ClientAbort.IsRejectedRequestBody(ex, out var rejection))
            {
                ClientAbort.AnswerRejectedRequestBody(context, rejection);
                return new FormRead(null, FormReadStatus.BodyRejected);
            }

            if (ex is IOException)
            {
                // Over the bufferLimit of EnableBuffering (FileBufferingReadStream throws a plain IOException).
                return new FormRead(null, FormReadStatus.Unreadable);
            }

            // A cancellation the client did not cause (shutdown, UseRequestTimeouts): the framework answers it.
            throw;
        }
    }

    // For the library's own endpoints (generateToken, rest/info), whose meaning is None so no middleware records the
    // 499: true when the read already ended the request (the client left, or Kestrel's rejection was answered).
    public static bool EndedTheRequest(HttpContext context, FormRead read)
    {
        switch (read.Status)
        {
            case FormReadStatus.ClientLeftReadingBody:
                ClientAbort.EndLostRequestBody(context);
                return true;
            case FormReadStatus.BodyRejected:
                return true;
            default:
                return false;
        }
    }

    public static bool IsUrlEncoded(HttpRequest request)
        => Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
