using System.Collections.Concurrent;
using System.Net;

namespace Status499.Tests.Tokens;

// The token check reuses the token string of a repeated header (TokenCheckState.HeaderToken); each request on a
// keep-alive connection is still validated with exactly its own token.
public sealed class TokenCheckStateTests
{
    [Fact]
    public async Task Each_request_on_a_keep_alive_connection_is_validated_with_its_own_header_token()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await TokenTestApp.StartAsync(validator: ctx =>
        {
            seen.Enqueue(ctx.Token);
            return new(ctx.Token.StartsWith("ok-", StringComparison.Ordinal) ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid());
        });

        // One connection, so every request after the first finds the previous request's header in the reused state.
        // Same-length neighbours exercise the fixed-time comparison; "Bearer  x" (two spaces) trims to the same token.
        string[] headers = ["Bearer ok-aaaa", "Bearer ok-aaaa", "Bearer ok-aaab", "Bearer ok-aaaa", "Bearer no-aaaa", "Bearer  ok-aaaa", "Bearer ok-aaaa"];
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var http = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        var statuses = new List<HttpStatusCode>();
        foreach (var header in headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
            request.Headers.TryAddWithoutValidation("X-Esri-Authorization", header);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        seen.Should().Equal("ok-aaaa", "ok-aaaa", "ok-aaab", "ok-aaaa", "no-aaaa", "ok-aaaa", "ok-aaaa");
        statuses.Should().Equal(
            HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)498, HttpStatusCode.OK, HttpStatusCode.OK);
    }
}
