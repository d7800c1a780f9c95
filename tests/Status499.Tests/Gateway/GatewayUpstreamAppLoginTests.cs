using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.ArcGisServer;

namespace Status499.Tests.Gateway;

// App logins (issue 23 part 2): a service behind the gateway whose portal issues tokens through oauth2/token with the
// client credentials grant. The gateway signs in with the app's client ID and secret, which stay on the server, reuses
// the token until shortly before it expires, gets a new one once when the service refuses it, and answers a failed
// sign-in with a clear ArcGIS error that names no secret.
public sealed class GatewayUpstreamAppLoginTests
{
    [Fact]
    public async Task An_app_login_gets_one_token_from_oauth2_token_and_the_client_never_sees_it()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        await using var gateway = await GatewayHost.StartAsync(WithAppLogin(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var first = await client.GetAsync(Query(token));
        using var second = await client.GetAsync(Query(token));

        (await first.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        (await second.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        upstream.TokenRequests.Should().ContainSingle("the token is reused").Which.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["client_id"] = ArcGisUpstream.ClientId,
            ["client_secret"] = ArcGisUpstream.ClientSecret,
            ["grant_type"] = "client_credentials",
            ["expiration"] = "60",
            ["f"] = "json",
        });
        var appToken = upstream.IssuedTokens.Single();
        upstream.Received.Should().HaveCount(2).And.OnlyContain(r => r.Headers["X-Esri-Authorization"] == "Bearer " + appToken);
        foreach (var response in new[] { first, second })
        {
            response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value).Should().NotContain(v => v.Contains(appToken, StringComparison.Ordinal));
        }

        gateway.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().BeEmpty();
        gateway.Logs.GetSnapshot().Select(r => r.Message + r.Exception).Should()
            .NotContain(m => m.Contains(ArcGisUpstream.ClientSecret, StringComparison.Ordinal) || m.Contains(appToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_token_is_replaced_shortly_before_it_expires()
    {
        var clock = new ManualTimeProvider();
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true, clock);
        upstream.AppTokenLifetime = TimeSpan.FromMinutes(10);
        await using var gateway = await GatewayHost.StartAsync(WithAppLogin(upstream), services: s => s.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);

        clock.Advance(TimeSpan.FromMinutes(8));
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);
        upstream.TokensIssued.Should().Be(1, "8 minutes into 10, the token is still used");

        clock.Advance(TimeSpan.FromSeconds(90));
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);

        upstream.TokensIssued.Should().Be(2, "within RefreshBefore (1 minute) of its expiry, the token is replaced");
        upstream.Received.Select(r => r.Headers["X-Esri-Authorization"].ToString()).Distinct().Should().HaveCount(2);
        upstream.Received.Should().HaveCount(3, "no request was refused on the way");
    }

    [Theory]
    [InlineData(498)] // on the status line, ArcGIS's StatusCode mode
    [InlineData(200)] // in an ArcGIS error body in 200 OK, ArcGIS's default
    public async Task A_refused_app_token_is_replaced_once_and_the_call_sent_again(int statusLine)
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        await using var gateway = await GatewayHost.StartAsync(WithAppLogin(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);

        upstream.RevokeAll(statusLine);

        using var response = await client.GetAsync(Query(token));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the client never sees the service's 498");
        upstream.TokenRequests.Should().HaveCount(2);
        upstream.Received.Should().HaveCount(3, "one call, then the refused one and its retry");
    }

    [Fact]
    public async Task A_burst_of_requests_before_the_first_token_signs_in_once()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        upstream.TokenDelay = TimeSpan.FromMilliseconds(300);
        await using var gateway = await GatewayHost.StartAsync(WithAppLogin(upstream));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetStringAsync(Query(token))));

        bodies.Should().OnlyContain(b => b == ArcGisUpstream.FeaturesJson);
        upstream.TokenRequests.Should().ContainSingle("one sign-in at a time per cluster; the others wait for its token");
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_a_clear_ArcGIS_error_and_the_secret_goes_nowhere()
    {
        const string WrongSecret = "wrong-client-secret-3";
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        var settings = WithAppLogin(upstream);
        settings["Gateway:Upstreams:upstream:ClientSecret"] = WrongSecret;
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var response = await client.GetAsync(Query(token));

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway, "the service's credentials are the gateway's problem, not the client's token");
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Be("""{"error":{"code":502,"message":"Bad Gateway","details":["The gateway could not sign in to the service behind it."]}}""");
        response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value).Should().NotContain(v => v.Contains(WrongSecret, StringComparison.Ordinal));
        upstream.Received.Should().BeEmpty("no request leaves without the service's token");
        upstream.TokenRequests.Should().ContainSingle().Which["client_secret"].Should().Be(WrongSecret);
        gateway.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "UpstreamSignInFailed" && r.Message.Contains("ArcGIS error code 401", StringComparison.Ordinal));
        gateway.Logs.GetSnapshot().Select(r => r.Message + r.Exception).Should().NotContain(m => m.Contains(WrongSecret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GenerateTokenUrl=https://gis.example.com/arcgis/tokens/generateToken;Username=u;Password=p;OAuth2TokenUrl=https://www.arcgis.com/sharing/rest/oauth2/token;ClientId=c;ClientSecret=s3cr3t-value",
        "Gateway:Upstreams:upstream has both GenerateTokenUrl and OAuth2TokenUrl")]
    [InlineData("ClientId=c;ClientSecret=s3cr3t-value", "Gateway:Upstreams:upstream has no credentials")]
    [InlineData("OAuth2TokenUrl=/portal/sharing/rest/oauth2/token;ClientId=c;ClientSecret=s3cr3t-value", "Gateway:Upstreams:upstream:OAuth2TokenUrl must be an absolute")]
    [InlineData("OAuth2TokenUrl=portal/sharing/rest/oauth2/token;ClientId=c;ClientSecret=s3cr3t-value", "Gateway:Upstreams:upstream:OAuth2TokenUrl must be an absolute")]
    [InlineData("OAuth2TokenUrl=https://www.arcgis.com/sharing/rest/oauth2/token;ClientSecret=s3cr3t-value", "Gateway:Upstreams:upstream:ClientId is empty")]
    [InlineData("OAuth2TokenUrl=https://www.arcgis.com/sharing/rest/oauth2/token;ClientId=c", "Gateway:Upstreams:upstream:ClientSecret is empty")]
    [InlineData("GenerateTokenUrl=/arcgis/tokens/generateToken;Username=u;Password=s3cr3t-value", "Gateway:Upstreams:upstream:GenerateTokenUrl must be an absolute")]
    public async Task Incomplete_or_mixed_credentials_stop_the_gateway_at_startup_naming_the_key(string upstreamSettings, string expected)
    {
        var settings = GatewayHost.Settings(new Uri("http://127.0.0.1:9/"));
        foreach (var pair in upstreamSettings.Split(';'))
        {
            var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            settings["Gateway:Upstreams:upstream:" + key] = value;
        }

        var start = () => GatewayHost.StartAsync(settings);

        var thrown = await start.Should().ThrowAsync<InvalidOperationException>();
        thrown.Which.Message.Should().StartWith(expected).And.NotContain("s3cr3t-value");
    }

    private static Dictionary<string, string?> WithAppLogin(ArcGisUpstream upstream)
    {
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Gateway:Upstreams:upstream:OAuth2TokenUrl"] = new Uri(upstream.Address, ArcGisUpstream.OAuth2TokenPath).ToString();
        settings["Gateway:Upstreams:upstream:ClientId"] = ArcGisUpstream.ClientId;
        settings["Gateway:Upstreams:upstream:ClientSecret"] = ArcGisUpstream.ClientSecret;
        return settings;
    }

    private static string Query(string token) => ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json&token=" + token;
}
