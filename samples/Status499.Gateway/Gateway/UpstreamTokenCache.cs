using System.Collections.Concurrent;
using System.Text.Json;

namespace Status499.Gateway;

// The service tokens the gateway holds, one per cluster with credentials: fetched from the service's generateToken on
// first use, reused until shortly before they expire, dropped when the service refuses one. One fetch at a time per
// cluster, so a burst of requests after an expiry signs in once.
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
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = credentials.Username,
            ["password"] = credentials.Password,
            ["client"] = "requestip",
            ["expiration"] = ((int)Math.Ceiling(credentials.Expiration.TotalMinutes)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["f"] = "json",
        });
        using var response = await _http.PostAsync(credentials.GenerateTokenUrl, form, cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        if (!json.RootElement.TryGetProperty("token", out var token) || token.GetString() is not { Length: > 0 } value
            || !json.RootElement.TryGetProperty("expires", out var expires) || !expires.TryGetInt64(out var expiresMs))
        {
            // Neither the answer (it may echo the request) nor the credentials go into the message or the log.
            Log.SignInFailed(_logger, clusterId, (int)response.StatusCode);
            throw new HttpRequestException($"The gateway could not sign in to the service of cluster '{clusterId}'.");
        }

        var now = _time.GetUtcNow();
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expiresMs);
        var margin = TimeSpan.FromTicks(Math.Min(credentials.RefreshBefore.Ticks, Math.Max(0, (expiresAt - now).Ticks / 2)));
        Log.SignedIn(_logger, clusterId, expiresAt);
        return new CachedToken(value, expiresAt - margin);
    }

    public void Dispose() => _http.Dispose();

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile CachedToken? Current;
    }

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "Signed in to the service of cluster {ClusterId}; its token expires at {ExpiresAt:O}.", EventName = "UpstreamSignedIn")]
        public static partial void SignedIn(ILogger logger, string clusterId, DateTimeOffset expiresAt);

        [LoggerMessage(1002, LogLevel.Error, "Could not sign in to the service of cluster {ClusterId}: its generateToken answered HTTP {StatusCode} without a token.", EventName = "UpstreamSignInFailed")]
        public static partial void SignInFailed(ILogger logger, string clusterId, int statusCode);
    }
}
