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
        if (request.Content is null)
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

        // ArcGIS answers token errors in 200 OK with f=json; only a small JSON body can be one.
        if (status != 200
            || response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: { } mediaType }
            || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || response.Content.Headers.ContentLength is not (> 0 and <= MaxErrorBodyLength))
        {
            return false;
        }

        // Buffered, so YARP still forwards it whole when it is not a token error; read as a copy of the buffer, since
        // HttpContent keeps the stream it returns and YARP's read would start at its end.
#if NET9_0_OR_GREATER
        await response.Content.LoadIntoBufferAsync(cancellationToken);
#else
        await response.Content.LoadIntoBufferAsync(); // no overload with a token before .NET 9 (tests/ compiles this on net8.0)
#endif
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code)
                && code.TryGetInt32(out var value)
                && value is 498 or 499;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
