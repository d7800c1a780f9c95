using System.Net;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Gateway;

// Several gateway instances (two Kestrel hosts, each with its own services) behind one real Redis (Gateway:Redis):
// one Data Protection key ring and one lockout store, so the instances behave as one gateway.
public sealed class GatewayRedisTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string InvalidCredentialsBody =
        """{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}""";

    [Fact]
    public async Task A_token_minted_on_one_instance_is_accepted_by_the_other()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = OnRedis(upstream, redis);
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        var token = await a.GenerateTokenAsync(clientA);

        (await clientB.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);
        (await clientA.GetStringAsync(Query(await b.GenerateTokenAsync(clientB)))).Should().Be(ArcGisUpstream.FeaturesJson, "and back");
    }

    [Fact]
    public async Task An_instance_with_a_key_ring_of_its_own_refuses_the_others_tokens()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var a = await GatewayHost.StartAsync(OnRedis(upstream, redis));
        await using var alone = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var clientA = a.CreateClient();
        using var clientAlone = alone.CreateClient();

        var token = await a.GenerateTokenAsync(clientA);

        (await clientAlone.GetStringAsync(Query(token))).Should().Contain("\"code\":498", "the shared key ring is what makes the token valid elsewhere");
    }

    [Fact]
    public async Task A_lockout_started_on_one_instance_holds_on_the_other()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = OnRedis(upstream, redis);
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        // ArcGIS Server's policy, the library's default: five failures lock the username; three here, two there.
        for (var i = 0; i < 3; i++)
        {
            (await GatewayHost.SignInAsync(clientA, "wrong-a" + i)).Body.Should().Be(InvalidCredentialsBody);
        }

        for (var i = 0; i < 2; i++)
        {
            (await GatewayHost.SignInAsync(clientB, "wrong-b" + i)).Body.Should().Be(InvalidCredentialsBody);
        }

        (await GatewayHost.SignInAsync(clientA, GatewayHost.Password)).Body.Should().Be(InvalidCredentialsBody, "A sees B's failures");
        (await GatewayHost.SignInAsync(clientB, GatewayHost.Password)).Body.Should().Be(InvalidCredentialsBody, "B sees A's failures");
        b.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted", "the fifth failure was on B");
    }

    [Fact]
    public async Task While_Redis_is_down_generateToken_fails_closed_with_an_ArcGIS_error_and_recovers_when_it_returns()
    {
        var outage = new RedisServer();
        await outage.InitializeAsync();
        try
        {
            await using var upstream = await ArcGisUpstream.StartAsync();
            await using var gateway = await GatewayHost.StartAsync(OnRedis(upstream, outage));
            using var client = gateway.CreateClient();
            var token = await gateway.GenerateTokenAsync(client);

            await outage.StopAsync();

            var (status, body) = await GatewayHost.SignInAsync(client, GatewayHost.Password);
            status.Should().Be(HttpStatusCode.OK, "an ArcGIS error body, as ArcGIS answers f=json errors, not a 500 page");
            body.Should().Be("""{"error":{"code":500,"message":"Unable to generate token.","details":[]}}""");
            gateway.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "GenerateTokenLockoutStoreFailed");

            // Token checks need no Redis round trip: the key ring is held in memory, so a valid token still opens the
            // service and a forged one is still refused.
            (await client.GetStringAsync(Query(token))).Should().Be(ArcGisUpstream.FeaturesJson);
            (await client.GetStringAsync(Query("made-up"))).Should().Contain("\"code\":498");

            await outage.RestartAsync();

            (await EventuallySignsInAsync(client)).Should().BeTrue("the connection comes back by itself");
            var logs = gateway.Logs.GetSnapshot();
            logs.Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStoreFailed", "one Error per outage, not one per refused sign-in");
            logs.Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStoreRecovered");
        }
        finally
        {
            await outage.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> OnRedis(ArcGisUpstream upstream, RedisServer server) => GatewayHost.OnRedis(upstream.Address, server);

    private static string Query(string token) => ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json&token=" + token;

    // Bounded: StackExchange.Redis retries the connection with a backoff of a few seconds.
    private static async Task<bool> EventuallySignsInAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await GatewayHost.SignInAsync(client, GatewayHost.Password)).Body.Contains("\"token\"", StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
