using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Mvc.Testing;
using Status499.Sample;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

public sealed class ArcGisSampleTokenTests
{
    [Fact]
    public async Task Sample_signs_in_the_configured_user_and_accepts_both_minted_and_static_tokens()
    {
        using var keyRing = new TemporaryDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Sample:DemoUser:Username", "tester")
            .UseSetting("Sample:DemoUser:Password", "from-the-test")
            .UseSetting("Sample:KeyRingPath", keyRing.Path));
        using var client = factory.CreateClient();

        var info = await JsonAsync(await client.GetAsync("/arcgis/rest/info?f=json"));
        var (_, refused) = await PostAsync(client, GenerateTokenPath, ("username", DemoTokens.DefaultUsername), ("password", DemoTokens.DefaultPassword), ("f", "json"));
        var (_, issued) = await PostAsync(client, GenerateTokenPath, ("request", "getToken"), ("username", "tester"), ("password", "from-the-test"), ("expiration", "60"), ("f", "json"));
        var token = issued.GetProperty("token").GetString()!;

        info.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be("http://localhost/arcgis/tokens/generateToken");
        refused.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400, "the configured user replaces the development default");
        (await client.GetAsync("/api/report?token=" + Uri.EscapeDataString(token))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/report?token=" + DemoTokens.DefaultDemoToken)).StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)(await client.GetAsync("/api/report?token=guess")).StatusCode).Should().Be(498);

        // Minted under the key kept in Sample:KeyRingPath, which other instances can share.
        var key = XElement.Load(keyRing.Info.GetFiles("key-*.xml").Should().ContainSingle().Subject.FullName);
        KeyIdOf(token).Should().Be(Guid.Parse(key.Attribute("id")!.Value));
    }

    [Fact]
    public async Task Sample_token_lifetime_hook_shortens_tokens_and_says_so_in_expires()
    {
        using var keyRing = new TemporaryDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Sample:TokenLifetimeSeconds", "5")
            .UseSetting("Sample:KeyRingPath", keyRing.Path));
        using var client = factory.CreateClient();
        var before = DateTimeOffset.UtcNow;

        var (_, issued) = await PostAsync(client, GenerateTokenPath,
            ("username", DemoTokens.DefaultUsername), ("password", DemoTokens.DefaultPassword), ("expiration", "120"), ("f", "json"));

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(issued.GetProperty("expires").GetInt64());
        expires.Should().BeOnOrAfter(before.AddSeconds(5).AddMilliseconds(-1)).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(5).AddMilliseconds(1));
    }
}
