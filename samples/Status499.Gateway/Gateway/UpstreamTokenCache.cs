using System.Collections.Concurrent;
using System.Text.Json;

namespace Status499.Gateway;

// The service tokens the gateway holds, one per cluster with credentials: fetched from the service's generateToken (an
// account) or the portal's oauth2/token (an app login) on first use, reused until shortly before they expire, dropped
// when the service refuses one. One fetch at a time per cluster, so a burst of requests after an expiry signs in once.
internal sealed partial class UpstreamTokenCache : IDisposable
{
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamTokenCache> _logger;
    private readonly HttpClient _http = new();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamTokenCache(GatewayOptions options, TimeProvider time, ILogger<UpstreamTokenCache> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    public bool HasCredentials(string clusterId) => _options.Upstreams.ContainsKey(clusterId);

    public async ValueTask<string> GetAsync(string clusterId, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(clusterId, static _ => new Entry());
        if (entry.Current is { } current && current.RenewAt > _time.GetUtcNow())
        {
            return current.Token;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            if (entry.Current is { } fresh && fresh.RenewAt > _time.GetUtcNow())
            {
                return fresh.Token;
            }

            entry.Current = await FetchAsync(clusterId, _options.Upstreams[clusterId], cancellationToken);
            return entry.Current.Token;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    // The service refused this token: the next request signs in again (unless another one already did).
    public void Invalidate(string clusterId, string token)
    {
        if (_entries.TryGetValue(clusterId, out var entry) && entry.Current is { } current && current.Token == token)
        {
            entry.Current = null;
        }
    }

    private async Task<CachedToken> FetchAsync(string clusterId, UpstreamCredentials credentials, CancellationToken cancellationToken)
    {
        var expiration = ((int)Math.Ceiling(credentials.Expiration.TotalMinutes)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var form = new FormUrlEncodedContent(credentials.IsAppLogin
            ? new Dictionary<string, string>
            {
                // ArcGIS oauth2/token with the client credentials grant, as arcgis-rest-js's ApplicationCredentialsManager
                // posts it: https://developers.arcgis.com/rest/users-groups-and-items/token/ ,
                // https://github.com/Esri/arcgis-rest-js/blob/main/packages/arcgis-rest-request/src/ApplicationCredentialsManager.ts
                ["client_id"] = credentials.ClientId,
                ["client_secret"] = credentials.ClientSecret,
                ["grant_type"] = "client_credentials",
                ["expiration"] = expiration,
                ["f"] = "json",
            }
            : new Dictionary<string, string>
            {
                ["username"] = credentials.Username,
                ["password"] = credentials.Password,
                ["client"] = "requestip",
                ["expiration"] = expiration,
                ["f"] = "json",
            });
        // expires_in counts from the portal's answer: the time of asking errs on the early side.
        var now = _time.GetUtcNow();
        using var response = await _http.PostAsync(credentials.IsAppLogin ? credentials.OAuth2TokenUrl : credentials.GenerateTokenUrl, form, cancellationToken);
        var answer = await ReadAnswerAsync(response, credentials.IsAppLogin, now, cancellationToken);
        if (answer is not { Token: { } value, ExpiresAt: var expiresAt })
        {
            // Neither the answer (it may echo the request) nor the credentials go into the message or the log: the HTTP
            // status and the ArcGIS error code (never its message) say enough to tell a wrong secret from an unreachable portal.
            Log.SignInFailed(_logger, clusterId, (int)response.StatusCode,
                answer.ErrorCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
            throw new UpstreamSignInException(
                $"The gateway could not sign in to the service of cluster '{clusterId}'.",
                "The gateway could not sign in to the service behind it.");
        }

        var margin = TimeSpan.FromTicks(Math.Min(credentials.RefreshBefore.Ticks, Math.Max(0, (expiresAt - now).Ticks / 2)));
        Log.SignedIn(_logger, clusterId, expiresAt);
        return new CachedToken(value, expiresAt - margin);
    }

    // generateToken answers {"token","expires" (Unix milliseconds)}; oauth2/token {"access_token","expires_in" (seconds
    // from now)}, as arcgis-rest-js's fetchToken reads it
    // (https://github.com/Esri/arcgis-rest-js/blob/main/packages/arcgis-rest-request/src/fetch-token.ts). A refusal is an
    // ArcGIS error body, {"error":{"code":400,"error":"invalid_request","error_description":"Invalid client_id",...}}
    // for oauth2/token (as Esri's geotrigger-go tests mock it: https://github.com/Esri/geotrigger-go), often in 200 OK.
    private static async Task<Answer> ReadAnswerAsync(
        HttpResponseMessage response, bool appLogin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        }
        catch (JsonException)
        {
            return default;
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return new Answer(null, default, error.TryGetProperty("code", out var code) && code.TryGetInt32(out var errorCode) ? errorCode : null);
            }

            if (appLogin)
            {
                return root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value
                    && root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds) && seconds > 0
                    ? new Answer(value, now.AddSeconds(seconds), null)
                    : default;
            }

            return root.TryGetProperty("token", out var serviceToken) && serviceToken.ValueKind == JsonValueKind.String && serviceToken.GetString() is { Length: > 0 } serviceValue
                && root.TryGetProperty("expires", out var expires) && expires.TryGetInt64(out var expiresMs)
                ? new Answer(serviceValue, DateTimeOffset.FromUnixTimeMilliseconds(expiresMs), null)
                : default;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile CachedToken? Current;
    }

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    // A token endpoint's answer: a token and its expiry, or the code of its ArcGIS error (if it sent one).
    private readonly record struct Answer(string? Token, DateTimeOffset ExpiresAt, int? ErrorCode);

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "Signed in to the service of cluster {ClusterId}; its token expires at {ExpiresAt:O}.", EventName = "UpstreamSignedIn")]
        public static partial void SignedIn(ILogger logger, string clusterId, DateTimeOffset expiresAt);

        [LoggerMessage(1002, LogLevel.Error, "Could not sign in to the service of cluster {ClusterId}: its token endpoint answered HTTP {StatusCode} without a token (ArcGIS error code {ErrorCode}).", EventName = "UpstreamSignInFailed")]
        public static partial void SignInFailed(ILogger logger, string clusterId, int statusCode, string errorCode);
    }
}
