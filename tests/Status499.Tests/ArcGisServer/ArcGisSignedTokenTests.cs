using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

public sealed class ArcGisSignedTokenTests
{
    [Fact]
    public async Task An_expired_token_is_answered_498_and_logged_as_expired()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time);
        using var client = Client(app);
        var token = await GenerateTokenAsync(client, ("expiration", "1"));

        time.Advance(TimeSpan.FromSeconds(59));
        (await GetProtectedAsync(client, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        time.Advance(TimeSpan.FromSeconds(1));
        var response = await GetProtectedAsync(client, token);

        ((int)response.StatusCode).Should().Be(498);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenExpired");
    }

    [Fact]
    public async Task A_referer_bound_token_needs_exactly_that_referer()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        // Node's arcgis-rest-js sends this, which is not a URL.
        var token = await GenerateTokenAsync(client, ("client", "referer"), ("referer", "@esri/arcgis-rest-js"));

        (await GetProtectedAsync(client, token, "@esri/arcgis-rest-js")).StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)(await GetProtectedAsync(client, token, "https://evil.example/")).StatusCode).Should().Be(498);
        ((int)(await GetProtectedAsync(client, token, "@ESRI/arcgis-rest-js")).StatusCode).Should().Be(498);
        ((int)(await GetProtectedAsync(client, token)).StatusCode).Should().Be(498);
    }

    [Fact]
    public async Task An_ip_bound_token_is_accepted_only_from_that_address()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var elsewhere = await GenerateTokenAsync(client, ("client", "ip"), ("ip", "10.1.2.3"));
        var here = await GenerateTokenAsync(client, ("client", "ip"), ("ip", "127.0.0.1"));
        var requestIp = await GenerateTokenAsync(client, ("client", "requestip"));

        ((int)(await GetProtectedAsync(client, elsewhere)).StatusCode).Should().Be(498);
        (await GetProtectedAsync(client, here)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetProtectedAsync(client, requestIp)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_tampered_token_is_answered_498()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        var token = await GenerateTokenAsync(client);
        var bytes = WebEncoders.Base64UrlDecode(token);

        // One bit changed in the key id, in the ciphertext and in the authentication tag; cut short; lengthened.
        var tampered = new[] { 4, bytes.Length / 2, bytes.Length - 1 }.Select(i =>
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 1;
            return WebEncoders.Base64UrlEncode(copy);
        });

        (await GetProtectedAsync(client, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var bad in tampered.Concat([token[..^4], token + "AAAA", token + ".AAAA", "not-a-token"]))
        {
            ((int)(await GetProtectedAsync(client, bad)).StatusCode).Should().Be(498, bad);
        }
    }

    [Fact]
    public async Task A_token_protected_by_another_key_ring_is_answered_498()
    {
        // Each app of the kit has a key ring of its own.
        string foreign;
        await using (var other = await StartAsync())
        {
            using var otherClient = Client(other);
            foreign = await GenerateTokenAsync(otherClient);
        }

        await using var app = await StartAsync();
        using var client = Client(app);

        ((int)(await GetProtectedAsync(client, foreign)).StatusCode).Should().Be(498);
    }

    [Fact]
    public async Task Signed_tokens_fall_back_to_the_validator_registered_before()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, beforeSignedTokens: b => b.AddStaticTokens("static-dev-token"));
        using var client = Client(app);
        var signed = await GenerateTokenAsync(client, ("expiration", "1"));

        (await GetProtectedAsync(client, "static-dev-token")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetProtectedAsync(client, signed)).StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)(await GetProtectedAsync(client, "guessed-token")).StatusCode).Should().Be(498);

        // The fallback does not know the signed token either, yet the verdict stays "expired", the more informative one.
        time.Advance(TimeSpan.FromMinutes(2));
        ((int)(await GetProtectedAsync(client, signed)).StatusCode).Should().Be(498);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenExpired");
    }

    [Fact]
    public async Task Neither_password_nor_token_is_ever_logged()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time);
        using var client = Client(app);

        var token = await GenerateTokenAsync(client, ("client", "referer"), ("referer", "https://app.example/"));
        await PostAsync(client, GenerateTokenPath, ("username", Username), ("password", Password + "x"));
        await PostAsync(client, GenerateTokenPath, ("username", "nobody"), ("password", Password));
        await PostAsync(client, GenerateTokenPath, ("password", Password));
        await GetProtectedAsync(client, token, "https://app.example/");
        await GetProtectedAsync(client, token, "https://other.example/");
        time.Advance(TimeSpan.FromDays(2));
        await GetProtectedAsync(client, token, "https://app.example/");

        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "TokenIssued").And.Contain(r => r.Id.Name == "InvalidCredentials");
        AssertNoSecretsLogged(app, Password, token);
        app.Logs.GetSnapshot().Where(r => r.Message.Contains(Username, StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Level == LogLevel.Debug, "the username is logged only at Debug");
    }

    internal static void AssertNoSecretsLogged(TestApp app, params string[] secrets)
    {
        foreach (var record in app.LogsExceptHostingRequestLines)
        {
            var everything = string.Join('\n', [
                record.Message,
                record.Exception?.ToString() ?? string.Empty,
                .. record.StructuredState?.Select(p => p.Key + "=" + p.Value) ?? [],
                .. record.Scopes.Select(s => s?.ToString() ?? string.Empty),
            ]);
            foreach (var secret in secrets)
            {
                everything.Should().NotContain(secret, $"log record {record.Id.Name ?? record.Category} must not carry a secret");
            }
        }
    }
}
