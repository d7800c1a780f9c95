using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;
using static Status499.Tests.ArcGisServer.GenerateTokenLockoutTests;

namespace Status499.Tests.ArcGisServer;

// generateToken mapped twice (ArcGIS Server's path and a portal's, a common pair) is one door: one lockout count per
// username and one rate-limit budget per address, whichever path a request takes.
public sealed class GenerateTokenSharedProtectionTests
{
    private const string PortalPath = "/arcgis/sharing/rest/generateToken";

    [Fact]
    public async Task A_username_locked_at_one_path_is_locked_at_the_other()
    {
        await using var app = await StartTwiceMappedAsync(o => o.Lockout.MaxFailedAttempts = 3);
        using var client = Client(app);

        for (var i = 0; i < 3; i++)
        {
            (await SignInAtAsync(client, GenerateTokenPath, Password + "-wrong-" + i)).Body.Should().Be(InvalidCredentialsBody);
        }

        (await SignInAtAsync(client, PortalPath, Password)).Body.Should().Be(InvalidCredentialsBody, "the lockout started at the other path");
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted");
    }

    [Fact]
    public async Task Both_paths_draw_on_one_rate_limit_budget()
    {
        await using var app = await StartTwiceMappedAsync(o =>
        {
            o.RateLimit.PermitLimit = 4;
            o.RateLimit.Window = TimeSpan.FromHours(1);
        });
        using var client = Client(app);

        for (var i = 0; i < 2; i++)
        {
            (await SignInAtAsync(client, GenerateTokenPath, Password)).Response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await SignInAtAsync(client, PortalPath, Password)).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await SignInAtAsync(client, PortalPath, Password)).Response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await SignInAtAsync(client, GenerateTokenPath, Password)).Response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    private static Task<TestApp> StartTwiceMappedAsync(Action<ArcGisTokenOptions> configure)
        => TestApp.StartAsync(
            a =>
            {
                a.MapArcGisGenerateToken(GenerateTokenPath);
                a.MapArcGisGenerateToken(PortalPath);
            },
            configureBuilder: b => b.AddArcGisSignedTokens(o =>
            {
                o.AddUser(Username, Password);
                configure(o);
            }),
            services: s =>
            {
                var own = new InMemoryKeyRing();
                s.AddDataProtection().AddKeyManagementOptions(o => o.XmlRepository = own);
            });

    private static async Task<(HttpResponseMessage Response, string Body)> SignInAtAsync(HttpClient client, string path, string password)
    {
        using var content = new FormUrlEncodedContent([new("username", Username), new("password", password), new("f", "json")]);
        var response = await client.PostAsync(path, content);
        return (response, await response.Content.ReadAsStringAsync());
    }
}
