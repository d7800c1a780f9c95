using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Status499.Gateway;

// Between YARP and the socket of one cluster with credentials: puts the gateway's service token on each forwarded
// request (X-Esri-Authorization, never in the URL, so not in the service's access log either), and when the service
// refuses it (498 or 499, on the status line or in an ArcGIS error body) fetches a new one and sends a body-less
// request once more. A refusal that survives the refresh, or a request with a body that cannot be sent twice, is
// answered 502 by the gateway: the client's own token is fine, and the service's error must not make it sign in again.
internal sealed class UpstreamTokenHandler : DelegatingHandler
{
    // ArcGIS error bodies are small; anything larger is data, passed on without being read.
    private const int MaxErrorBodyLength = 4096;
    private const string HeaderName = "X-Esri-Authorization";

    private readonly string _clusterId;
    private readonly UpstreamTokenCache _tokens;

    public UpstreamTokenHandler(string clusterId, UpstreamTokenCache tokens, HttpMessageHandler inner)
        : base(inner)
    {
        _clusterId = clusterId;
        _tokens = tokens;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAsync(_clusterId, cancellationToken);
        var response = await SendWithTokenAsync(request, token, cancellationToken);
        if (!await IsTokenRefusedAsync(response, cancellationToken))
        {
            return response;
        }

        _tokens.Invalidate(_clusterId, token);
        // A request without a body that has content headers gets an empty content from YARP to carry them
        // (arcgis-rest-js sends its GET queries with Content-Type: application/x-www-form-urlencoded): its length is 0,
        // nothing is read, so it can be sent again like one without content.
        if (request.Content is null || request.Content.Headers.ContentLength == 0)
        {
            response.Dispose();
            token = await _tokens.GetAsync(_clusterId, cancellationToken);
            response = await SendWithTokenAsync(request, token, cancellationToken);
            if (!await IsTokenRefusedAsync(response, cancellationToken))
            {
                return response;
            }

            _tokens.Invalidate(_clusterId, token);
        }

        response.Dispose();
        throw new UpstreamSignInException(
            $"The service of cluster '{_clusterId}' refused the gateway's token.",
            "The service behind the gateway refused the gateway's own token.");
    }

    private Task<HttpResponseMessage> SendWithTokenAsync(HttpRequestMessage request, string token, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HeaderName);
        request.Headers.TryAddWithoutValidation(HeaderName, "Bearer " + token);
        return base.SendAsync(request, cancellationToken);
    }

    internal static async Task<bool> IsTokenRefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is 498 or 499)
        {
            return true;
        }

        // ArcGIS answers token errors in 200 OK with f=json; only a small JSON body can be one. A service that compresses
        // (ASP.NET Core's UseResponseCompression, IIS, nginx's gzip) sends it without a Content-Length, in chunks, so a
        // body of unknown length is looked at too, as far as MaxErrorBodyLength bytes.
        if (status != 200
            || response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: { } mediaType }
            || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || response.Content.Headers.ContentLength is 0 or > MaxErrorBodyLength)
        {
            return false;
        }

        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(cancellationToken);
        var head = new byte[MaxErrorBodyLength + 1];
        var length = 0;
        int read;
        while (length < head.Length && (read = await stream.ReadAsync(head.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        // What was read goes back in front of the rest, so YARP forwards the answer as the service sent it.
        var whole = length <= MaxErrorBodyLength;
        response.Content = whole ? new ByteArrayContent(head, 0, length) : new StreamContent(new ReplayStream(head, stream));
        foreach (var header in original.Headers)
        {
            if (!(whole && header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        var refused = whole && HasTokenErrorCode(head.AsSpan(0, length), original.Headers.ContentEncoding);
        if (whole)
        {
            original.Dispose();
        }

        return refused;
    }

    // The body, decoded as its Content-Encoding says (a coding the gateway cannot decode is not read as a refusal), is an
    // ArcGIS error body with code 498 or 499.
    private static bool HasTokenErrorCode(ReadOnlySpan<byte> body, ICollection<string> encodings)
    {
        var decoded = body.ToArray();
        try
        {
            foreach (var encoding in encodings.Reverse())
            {
                using var compressed = new MemoryStream(decoded);
                using Stream? decoder = encoding.ToLowerInvariant() switch
                {
                    "gzip" or "x-gzip" => new GZipStream(compressed, CompressionMode.Decompress),
                    "deflate" => new ZLibStream(compressed, CompressionMode.Decompress),
                    "br" => new BrotliStream(compressed, CompressionMode.Decompress),
                    "identity" => null,
                    _ => throw new InvalidDataException(),
                };
                if (decoder is null)
                {
                    continue;
                }

                var buffer = new byte[MaxErrorBodyLength + 1];
                var length = decoder.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                if (length > MaxErrorBodyLength)
                {
                    return false;
                }

                decoded = buffer[..length];
            }

            using var json = JsonDocument.Parse(decoded);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code)
                && code.TryGetInt32(out var value)
                && value is 498 or 499;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return false;
        }
    }
}
