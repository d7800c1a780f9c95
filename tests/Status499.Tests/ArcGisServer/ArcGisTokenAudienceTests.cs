using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

// Two different apps built into containers share a content root (/app), hence Data Protection's default application
// discriminator; given one key ring too, only the tokens' audience keeps them from accepting each other's tokens.
public sealed class ArcGisTokenAudienceTests
{
    [Fact]
    public async Task Apps_sharing_a_key_ring_and_content_root_refuse_each_others_tokens_unless_they_are_the_same_app()
    {
        var shared = new InMemoryKeyRing();
        Action<IDataProtectionBuilder> keyRing = dp => dp.AddKeyManagementOptions(o => o.XmlRepository = shared);

        await using var maps = await StartAsync(keyRing: keyRing, beforeSignedTokens: b => Named(b, "Contoso.Maps"));
        await using var billing = await StartAsync(keyRing: keyRing, beforeSignedTokens: b => Named(b, "Contoso.Billing"));
        await using var mapsAgain = await StartAsync(keyRing: keyRing, beforeSignedTokens: b => Named(b, "Contoso.Maps"));
        using var mapsClient = Client(maps);
        using var billingClient = Client(billing);
        using var mapsAgainClient = Client(mapsAgain);

        var token = await GenerateTokenAsync(mapsClient);

        ((int)(await GetProtectedAsync(billingClient, token)).StatusCode).Should().Be(498, "another app's token is not valid here");
        (await GetProtectedAsync(mapsAgainClient, token)).StatusCode.Should().Be(HttpStatusCode.OK, "another instance of the same app accepts it");
    }

    [Fact]
    public async Task Audience_set_by_the_app_wins_over_the_application_name()
    {
        var shared = new InMemoryKeyRing();
        Action<IDataProtectionBuilder> keyRing = dp => dp.AddKeyManagementOptions(o => o.XmlRepository = shared);

        await using var staging = await StartAsync(keyRing: keyRing, configure: o => o.Audience = "maps-staging");
        await using var production = await StartAsync(keyRing: keyRing, configure: o => o.Audience = "maps-production");
        using var stagingClient = Client(staging);
        using var productionClient = Client(production);

        var token = await GenerateTokenAsync(stagingClient);

        (await GetProtectedAsync(stagingClient, token)).StatusCode.Should().Be(HttpStatusCode.OK);
        ((int)(await GetProtectedAsync(productionClient, token)).StatusCode).Should().Be(498);
    }

    // The host's name, as WebApplicationOptions.ApplicationName or the entry assembly would set it; the content root
    // (and so Data Protection's discriminator) stays the same for both apps.
    private static void Named(Status499Builder builder, string applicationName)
    {
        var environment = (IHostEnvironment)builder.Services.Single(d => d.ServiceType == typeof(IHostEnvironment)).ImplementationInstance!;
        environment.ApplicationName = applicationName;
    }
}
