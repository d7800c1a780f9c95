using System.Text;
using Microsoft.AspNetCore.Http;

namespace Status499.Tokens;

// Reads an application/x-www-form-urlencoded body for the library's own use (a token field, generateToken's
// credentials). Undecodable input is the client's fault and must become a 400-style answer, never a 500.
internal static class FormReader
{
    public static async ValueTask<IFormCollection?> TryReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or ArgumentException or DecoderFallbackException
            || (ex is IOException && !cancellationToken.IsCancellationRequested && ex is not BadHttpRequestException))
        {
            // Over FormOptions limits, an unknown charset (e.g. charset=utf-7), undecodable bytes, or over the buffer limit.
            return null;
        }
    }

    public static bool IsUrlEncoded(HttpRequest request)
        => Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
