using System.Net;
using StackExchange.Redis;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Gateway;

// Gateway:RateLimit on several instances behind one real Redis (Gateway:Redis): one count per client address across
// the instances, as a round-robin balancer spreads a client's requests; and while Redis is down, each instance's own.
public sealed class GatewaySharedRateLimitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Query = "arcgis/rest/services/Demo/FeatureServer/0/query?where=1%3D1&f=json&token=";

    private const string RateLimitedBody =
        """{"error":{"code":429,"message":"Unable to proxy request for requested resource.","details":["This is a metered resource, number of requests have exceeded the rate limit interval."]}}""";

    [Fact]
    public async Task Requests_alternating_between_two_instances_share_one_limit()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = Limited(GatewayHost.OnRedis(upstream.Address, redis), permitLimit: 3, window: "00:05:00");
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        var token = await a.GenerateTokenAsync(clientA);

        (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync(clientB, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var refused = await GetAsync(clientB, token);

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the fourth request across both, the second on B");
        refused.Headers.RetryAfter!.Delta!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
        (await refused.Content.ReadAsStringAsync()).Should().Be(RateLimitedBody);
        (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "A sees B's count too");
        upstream.Received.Should().HaveCount(3);

        // One key per client address under Gateway:RedisKeyPrefix, expiring with the window.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var key = settings["Gateway:RedisKeyPrefix"] + "RateLimit:127.0.0.1";
        ((long)await connection.GetDatabase().StringGetAsync(key)).Should().Be(5, "refused requests are counted too");
        (await connection.GetDatabase().KeyTimeToLiveAsync(key)).Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_new_window_admits_the_client_again_on_both_instances()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = Limited(GatewayHost.OnRedis(upstream.Address, redis), permitLimit: 2, window: "00:00:04");
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        var token = await a.GenerateTokenAsync(clientA);

        (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync(clientB, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var refused = await GetAsync(clientA, token);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        retryAfter.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(4));

        // Redis expires the window's count when the window ends: Retry-After is rounded up to a whole second.
        await Task.Delay(retryAfter);

        (await GetAsync(clientB, token)).StatusCode.Should().Be(HttpStatusCode.OK, "a new window");
        (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync(clientB, token)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "and it is shared too");
        upstream.Received.Should().HaveCount(4);
    }

    [Fact]
    public async Task While_Redis_is_down_each_instance_limits_on_its_own_and_the_shared_limit_returns_with_Redis()
    {
        var outage = new RedisServer();
        await outage.InitializeAsync();
        try
        {
            await using var upstream = await ArcGisUpstream.StartAsync();
            var settings = Limited(GatewayHost.OnRedis(upstream.Address, outage), permitLimit: 3, window: "00:05:00");
            await using var a = await GatewayHost.StartAsync(settings);
            await using var b = await GatewayHost.StartAsync(settings);
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            var token = await a.GenerateTokenAsync(clientA);
            (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK, "counted in Redis, which then loses it");

            await outage.StopAsync();

            // Each instance its own window: three each, then 429 with Retry-After and the body; never a 500.
            foreach (var (gateway, client) in new[] { (a, clientA), (b, clientB) })
            {
                for (var i = 0; i < 3; i++)
                {
                    (await GetAsync(client, token)).StatusCode.Should().Be(HttpStatusCode.OK, "instance {0}, request {1}", gateway.Port, i);
                }

                using var refused = await GetAsync(client, token);
                refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
                refused.Headers.RetryAfter!.Delta!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
                (await refused.Content.ReadAsStringAsync()).Should().Be(RateLimitedBody);
                gateway.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RateLimitStoreFailed", "one line per outage, not one per request");
            }

            await outage.RestartAsync();

            // Both windows of their own are full for minutes: an admission now is Redis's count, empty after the restart.
            (await EventuallyAdmittedAsync(clientA, token)).Should().BeTrue("A counts in Redis again once it reconnects");
            (await EventuallyAdmittedAsync(clientB, token)).Should().BeTrue("B too");
            (await GetAsync(clientA, token)).StatusCode.Should().Be(HttpStatusCode.OK, "the third in Redis's new window");
            (await GetAsync(clientB, token)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the fourth across both");
            foreach (var gateway in new[] { a, b })
            {
                var logs = gateway.Logs.GetSnapshot();
                logs.Should().ContainSingle(r => r.Id.Name == "RateLimitStoreFailed");
                logs.Should().ContainSingle(r => r.Id.Name == "RateLimitStoreRecovered");
            }
        }
        finally
        {
            await outage.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> Limited(Dictionary<string, string?> settings, int permitLimit, string window)
    {
        settings["Gateway:RateLimit:PermitLimit"] = permitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:RateLimit:Window"] = window;
        return settings;
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string token) => client.GetAsync(Query + token);

    // Bounded: StackExchange.Redis reconnects with a backoff of a few seconds; meanwhile the instance's own window refuses.
    private static async Task<bool> EventuallyAdmittedAsync(HttpClient client, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await GetAsync(client, token);
            response.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
