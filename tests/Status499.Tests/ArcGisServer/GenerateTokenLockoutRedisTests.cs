using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;
using static Status499.Tests.ArcGisServer.GenerateTokenLockoutTests;

namespace Status499.Tests.ArcGisServer;

// Two instances of an app (two Kestrel servers, each with its own services) behind one real Redis, as in a farm.
public sealed class GenerateTokenLockoutRedisTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Failures_on_two_instances_add_up_to_a_lockout_that_both_enforce()
    {
        // One clock for both instances, as NTP gives a farm; moved by hand, so the lockout's end needs no sleep.
        var time = new ManualTimeProvider();
        var instanceName = "lockout-" + Guid.NewGuid().ToString("N") + ":";
        await using var a = await StartOnRedisAsync(time, instanceName);
        await using var b = await StartOnRedisAsync(time, instanceName);
        using var clientA = Client(a);
        using var clientB = Client(b);

        // Two failures on each instance: neither alone reached four.
        await SignInAsync(clientA, Username, "wrong-a1");
        await SignInAsync(clientB, Username, "wrong-b1");
        await SignInAsync(clientA, Username, "wrong-a2");
        await SignInAsync(clientB, Username, "wrong-b2");

        (await SignInAsync(clientA, Username, Password)).Body.Should().Be(InvalidCredentialsBody, "instance A sees B's failures");
        (await SignInAsync(clientB, Username, Password)).Body.Should().Be(InvalidCredentialsBody, "instance B sees A's failures");
        b.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted", "the fourth failure was on B")
            .Which.GetStructuredStateValue("UsernameHash").Should().Be(Hash(b, Username));

        // An unknown username is counted across instances the same way.
        await SignInAsync(clientA, "mallory", "x1");
        await SignInAsync(clientB, "mallory", "x2");
        await SignInAsync(clientA, "mallory", "x3");
        await SignInAsync(clientB, "mallory", "x4");
        a.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "GenerateTokenLockoutStarted");
        b.Logs.GetSnapshot().Where(r => r.Id.Name == "GenerateTokenLockoutStarted").Should().HaveCount(2);

        time.Advance(TimeSpan.FromMinutes(1));
        (await SignInAsync(clientB, Username, Password)).Body.Should().Contain("\"token\"", "the lockout ended for every instance");

        // That success cleared the shared count: three more failures on A do not lock B.
        await SignInAsync(clientA, Username, "wrong-c1");
        await SignInAsync(clientA, Username, "wrong-c2");
        await SignInAsync(clientA, Username, "wrong-c3");
        (await SignInAsync(clientB, Username, Password)).Body.Should().Contain("\"token\"");
    }

    private Task<TestApp> StartOnRedisAsync(ManualTimeProvider time, string instanceName)
        => StartAsync(
            time,
            o =>
            {
                o.Lockout.MaxFailedAttempts = 4;
                o.Lockout.FailureWindow = TimeSpan.FromMinutes(1);
                o.Lockout.LockoutDuration = TimeSpan.FromMinutes(1);
            },
            beforeSignedTokens: b => b.Services.AddStackExchangeRedisCache(o =>
            {
                o.Configuration = redis.Configuration;
                o.InstanceName = instanceName;
            }));
}
