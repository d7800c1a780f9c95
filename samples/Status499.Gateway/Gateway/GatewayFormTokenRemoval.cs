using System.Text;
using Yarp.ReverseProxy.Transforms;

namespace Status499.Gateway;

// Takes the token field out of an application/x-www-form-urlencoded POST body, where Status499 reads a token
// (TokenSource.Form), and forwards the other fields byte for byte, in their order, with a Content-Length to match. The
// body is in memory already on token routes (the token check buffers it, up to Status499:Token:MaxFormLength); a longer
// one is refused with 413 rather than forwarded unread. YARP's way of replacing a request body in a transform:
// https://learn.microsoft.com/aspnet/core/fundamentals/servers/yarp/extensibility-transforms#request-body-transforms
// A multipart/form-data body is streamed on unchanged: Status499 reads no token there, so it opens nothing at the
// gateway, and rewriting would mean holding uploads in memory (docs/gateway.md).
internal sealed class GatewayFormTokenRemoval
{
    private const string TokenField = "token";

    private readonly long _maxLength;

    public GatewayFormTokenRemoval(long maxLength) => _maxLength = maxLength;

    public async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        if (context.ProxyRequest.Content is null || !HttpMethods.IsPost(request.Method) || !IsUrlEncoded(request.ContentType))
        {
            return;
        }

        var body = request.ContentLength > _maxLength ? null : await ReadAsync(request.Body, context.CancellationToken);
        if (body is null)
        {
            // Setting a status other than 200 in a request transform stops YARP from forwarding.
            await GatewayErrorBody.WriteAsync(context.HttpContext, StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                "The form is longer than the gateway reads to take its token off.");
            return;
        }

        var forwarded = WithoutToken(body);
        request.Body = new MemoryStream(forwarded, writable: false);
        context.ProxyRequest.Content.Headers.ContentLength = forwarded.Length;
    }

    // The fields other than token, as they came; the body itself when it has no token field.
    internal static byte[] WithoutToken(byte[] body)
    {
        var kept = new MemoryStream(body.Length);
        var removed = false;
        var start = 0;
        while (start <= body.Length)
        {
            var end = Array.IndexOf(body, (byte)'&', start);
            if (end < 0)
            {
                end = body.Length;
            }

            var field = body.AsSpan(start, end - start);
            if (IsTokenField(field))
            {
                removed = true;
            }
            else if (!field.IsEmpty)
            {
                if (kept.Length > 0)
                {
                    kept.WriteByte((byte)'&');
                }

                kept.Write(field);
            }

            start = end + 1;
        }

        return removed ? kept.ToArray() : body;
    }

    // The key as ASP.NET Core's FormReader decodes it ('+' is a space, then percent-decoding), compared as
    // Request.Form["token"] compares it (case-insensitively): "TOKEN=" and "%74oken=" are the token too.
    private static bool IsTokenField(ReadOnlySpan<byte> field)
    {
        var equals = field.IndexOf((byte)'=');
        var key = equals < 0 ? field : field[..equals];
        if (key.Length < TokenField.Length || key.Length > TokenField.Length * 3)
        {
            return false;
        }

        var decoded = Uri.UnescapeDataString(Encoding.UTF8.GetString(key).Replace('+', ' '));
        return decoded.Equals(TokenField, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<byte[]?> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        if (body.CanSeek)
        {
            body.Position = 0; // buffered by the token check, which rewinds it; rewind again in case anything read on
        }

        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > _maxLength)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static bool IsUrlEncoded(string? contentType)
        => Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
