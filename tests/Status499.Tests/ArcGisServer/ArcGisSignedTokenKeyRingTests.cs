using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

// Signed tokens live on the Data Protection key ring: shared by a farm, rotated without breaking issued tokens.
public sealed class ArcGisSignedTokenKeyRingTests
{
    private const string FarmName = "Status499.Tests.Farm";

    [Fact]
    public async Task Instances_sharing_a_key_ring_accept_each_others_tokens_and_others_refuse_them()
    {
        using var shared = new TemporaryDirectory();
        using var elsewhere = new TemporaryDirectory();
        Action<IDataProtectionBuilder> farm = dp => dp.SetApplicationName(FarmName).PersistKeysToFileSystem(shared.Info);

        // One after the other, as a farm starts: the first creates the key, the second finds it in the shared folder.
        await using var first = await StartAsync(keyRing: farm);
        await using var second = await StartAsync(keyRing: farm);
        await using var otherRing = await StartAsync(keyRing: dp => dp.SetApplicationName(FarmName).PersistKeysToFileSystem(elsewhere.Info));
        await using var otherApp = await StartAsync(keyRing: dp => dp.SetApplicationName("Another.App").PersistKeysToFileSystem(shared.Info));
        using var firstClient = Client(first);
        using var secondClient = Client(second);
        using var otherRingClient = Client(otherRing);
        using var otherAppClient = Client(otherApp);

        var fromFirst = await GenerateTokenAsync(firstClient);
        var fromSecond = await GenerateTokenAsync(secondClient);

        (await GetProtectedAsync(secondClient, fromFirst)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetProtectedAsync(firstClient, fromSecond)).StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)(await GetProtectedAsync(otherRingClient, fromFirst)).StatusCode).Should().Be(498);

        // Same keys, another application name: Data Protection isolates applications, so the token is not its to read.
        ((int)(await GetProtectedAsync(otherAppClient, fromFirst)).StatusCode).Should().Be(498);
        otherApp.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenInvalid");

        var key = XElement.Load(shared.Info.GetFiles("key-*.xml").Should().ContainSingle().Subject.FullName);
        KeyIdOf(fromFirst).Should().Be(Guid.Parse(key.Attribute("id")!.Value)).And.Be(KeyIdOf(fromSecond));
    }

    [Fact]
    public async Task A_key_ring_configured_before_AddArcGisSignedTokens_is_kept()
    {
        using var folder = new TemporaryDirectory();
        await using var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            configureBuilder: b =>
            {
                b.Services.AddDataProtection().SetApplicationName(FarmName).PersistKeysToFileSystem(folder.Info);
                b.AddArcGisSignedTokens(o => o.AddUser(Username, Password));
            });
        using var client = Client(app);

        var token = await GenerateTokenAsync(client);

        var key = XElement.Load(folder.Info.GetFiles("key-*.xml").Should().ContainSingle().Subject.FullName);
        KeyIdOf(token).Should().Be(Guid.Parse(key.Attribute("id")!.Value));
    }

    [Fact]
    public async Task A_token_from_a_rotated_out_key_validates_until_its_own_expiry()
    {
        var time = new ManualTimeProvider();
        var keyRing = new InMemoryKeyRing();
        Action<IDataProtectionBuilder> farm = dp => dp.AddKeyManagementOptions(o => o.XmlRepository = keyRing);
        await using var before = await StartAsync(time, keyRing: farm);
        using var beforeClient = Client(before);
        var keyManager = before.App.Services.GetRequiredService<IKeyManager>();

        var old = await GenerateTokenAsync(beforeClient, ("expiration", "60"));
        var firstKey = keyManager.GetAllKeys().Should().ContainSingle().Subject;
        KeyIdOf(old).Should().Be(firstKey.KeyId);

        // Rotation as Data Protection does it: a successor created ahead of time, active when the first key expires; then
        // the key ring's clock moves past that expiry. Data Protection reads the wall clock and a running instance keeps
        // the dates of the keys it has read, so the stored dates move back instead and an instance started afterwards
        // (a new deployment, another member of the farm) sees the rotated ring.
        var successor = keyManager.CreateNewKey(firstKey.ExpirationDate, firstKey.ExpirationDate.AddDays(90));
        keyRing.Age(firstKey.ExpirationDate - DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        await using var after = await StartAsync(time, keyRing: farm);
        using var afterClient = Client(after);
        after.App.Services.GetRequiredService<IKeyManager>().GetAllKeys().Single(k => k.KeyId == firstKey.KeyId)
            .ExpirationDate.Should().BeBefore(DateTimeOffset.UtcNow, "the first key is rotated out");

        var fresh = await GenerateTokenAsync(afterClient, ("expiration", "60"));
        KeyIdOf(fresh).Should().Be(successor.KeyId);
        (await GetProtectedAsync(afterClient, fresh)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetProtectedAsync(afterClient, old)).StatusCode.Should().Be(HttpStatusCode.OK, "a rotated-out key still decrypts what it protected");
        (await GetProtectedAsync(beforeClient, fresh)).StatusCode.Should().Be(HttpStatusCode.OK, "the instance that created the successor knows it");

        time.Advance(TimeSpan.FromMinutes(60));
        ((int)(await GetProtectedAsync(afterClient, old)).StatusCode).Should().Be(498);
        after.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "TokenExpired");
    }

    [Fact]
    public async Task Revoking_a_key_refuses_the_tokens_it_protected()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        var token = await GenerateTokenAsync(client);
        var probe = app.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("probe");
        var probed = probe.Protect([1]);
        (await GetProtectedAsync(client, token)).StatusCode.Should().Be(HttpStatusCode.OK);

        app.App.Services.GetRequiredService<IKeyManager>().RevokeKey(KeyIdOf(token), "compromised");

        // Data Protection reloads the key ring in the background and keeps using the previous one meanwhile.
        (await Signal.EventuallyAsync(() => IsRefused(probe, probed))).Should().BeTrue();
        ((int)(await GetProtectedAsync(client, token)).StatusCode).Should().Be(498);
        var fresh = await GenerateTokenAsync(client);
        KeyIdOf(fresh).Should().NotBe(KeyIdOf(token));
        (await GetProtectedAsync(client, fresh)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static bool IsRefused(IDataProtector protector, byte[] protectedData)
    {
        try
        {
            protector.Unprotect(protectedData);
            return false;
        }
        catch (CryptographicException)
        {
            return true;
        }
    }
}
