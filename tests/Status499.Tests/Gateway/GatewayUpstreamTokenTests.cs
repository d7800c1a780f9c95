using System.IO.Compression;
using System.Net;

namespace Status499.Tests.Gateway;

// The outbound half (the resource-proxy role): a secured service behind the gateway gets the gateway's own token,
// fetched from its generateToken with credentials that stay on the server, reused, refreshed once when refused, and
// never shown to the client.
public sealed class GatewayUpstreamTokenTests
{
    [Fact]
    public async Task A_secured_service_gets_the_gateways_own_token_fetched_once_and_the_client_never_sees_it()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        await using var gateway = await GatewayHost.StartAsync(WithCredentials(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var first = await client.GetAsync(Query(token));
        using var second = await client.GetAsync(Query(token));

        gateway.Logs.GetSnapshot().Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(r => r.Message + r.Exception).Should().BeEmpty("the way through logs no warning");
        (await first.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        (await second.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        upstream.TokensIssued.Should().Be(1, "the service's token is reused until shortly before it expires");
        var serviceToken = upstream.IssuedTokens.Single();
        upstream.Received.Should().HaveCount(2).And.OnlyContain(r => r.Headers["X-Esri-Authorization"] == "Bearer " + serviceToken);
        upstream.Received.Should().OnlyContain(r => !r.Target.Contains(token, StringComparison.Ordinal), "nor does the service see the client's");
        foreach (var response in new[] { first, second })
        {
            response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value).Should().NotContain(v => v.Contains(serviceToken, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_token_the_service_refuses_is_refreshed_once_and_the_call_sent_again()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        await using var gateway = await GatewayHost.StartAsync(WithCredentials(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);

        upstream.RevokeAll();

        using var response = await client.GetAsync(Query(token));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the client never sees the service's 498");
        upstream.TokensIssued.Should().Be(2);
        upstream.Received.Should().HaveCount(3, "one call, then the refused one and its retry");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_refusal_the_service_compresses_is_recognised_and_the_call_sent_again(string encoding)
    {
        // A compressed answer comes in chunks without a Content-Length: the gateway must still read it (as far as 4 KiB)
        // rather than pass the service's 498 on to a client whose own token is fine.
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true, compressed: true);
        await using var gateway = await GatewayHost.StartAsync(WithCredentials(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);

        upstream.RevokeAll();

        using var request = new HttpRequestMessage(HttpMethod.Get, Query(token));
        request.Headers.AcceptEncoding.ParseAdd(encoding);
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.Should().Equal([encoding], "the service compressed its answer, and the gateway passed it on as it came");
        await using (var body = await response.Content.ReadAsStreamAsync())
        await using (Stream decoded = encoding == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress))
        using (var reader = new StreamReader(decoded))
        {
            (await reader.ReadToEndAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the client never sees the service's 498");
        }

        upstream.TokensIssued.Should().Be(2);
        upstream.Received.Should().HaveCount(3, "one call, then the refused one and its retry");
    }

    [Fact]
    public async Task A_large_compressed_answer_is_passed_on_whole_after_the_gateway_looked_at_its_start()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true, compressed: true);
        await using var gateway = await GatewayHost.StartAsync(WithCredentials(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Get, ArcGisUpstream.LargeQueryPath.TrimStart('/') + "?f=json&token=" + token);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.Should().Equal("gzip");
        var compressed = await response.Content.ReadAsByteArrayAsync();
        compressed.Length.Should().BeGreaterThan(16 * 1024, "the answer is larger than the part the gateway reads to look for a refusal");
        using var reader = new StreamReader(new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress));
        (await reader.ReadToEndAsync()).Should().Be(ArcGisUpstream.LargeFeaturesJson);
    }

    [Fact]
    public async Task A_service_that_refuses_every_token_gets_502_after_one_refresh()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        await using var gateway = await GatewayHost.StartAsync(WithCredentials(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        upstream.RefuseEveryToken = true;

        using var response = await client.GetAsync(Query(token));

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway, "a 498 would tell the client its own token is bad");
        (await response.Content.ReadAsStringAsync()).Should().StartWith("""{"error":{"code":502,""");
        upstream.TokensIssued.Should().Be(2, "one refresh, not a loop");
        upstream.Received.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_service_that_refuses_the_gateways_credentials_gets_502_without_them_in_the_logs()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        var settings = WithCredentials(upstream);
        settings["Gateway:Upstreams:upstream:Password"] = "wrong-service-password";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var response = await client.GetAsync(Query(token));

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        upstream.Received.Should().BeEmpty("no request leaves without the service's token");
        gateway.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "UpstreamSignInFailed");
        gateway.Logs.GetSnapshot().Select(r => r.Message + r.Exception).Should().NotContain(m => m.Contains("wrong-service-password", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> WithCredentials(ArcGisUpstream upstream)
    {
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Gateway:Upstreams:upstream:GenerateTokenUrl"] = new Uri(upstream.Address, ArcGisUpstream.GenerateTokenPath).ToString();
        settings["Gateway:Upstreams:upstream:Username"] = ArcGisUpstream.ServiceUsername;
        settings["Gateway:Upstreams:upstream:Password"] = ArcGisUpstream.ServicePassword;
        return settings;
    }

    private static string Query(string token) => ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json&token=" + token;
}
