using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Status499.Tests.RouteSettings;

// A TokenRequired pattern in front of a catch-all or a reverse proxy: every spelling of a protected path that a
// lenient server would read as that path (Tomcat's ";params", IIS's "\" and trailing dots, a second decoding of
// "%2F") needs a token too. The requests go over a raw socket, so the bytes reach Kestrel exactly as written.
public sealed class EncodedPathTests
{
    private const string Reached = "REACHED";
    private const string GoodToken = "good";
    private const string ProtectedPattern = "/arcgis/rest/services/{**path}";

    // Each spelling, as sent, of a path under /arcgis/rest/services.
    private static readonly string[] s_protectedSpellings =
    [
        "/arcgis/rest/services%2FDemo%2FFeatureServer%2F0%2Fquery", // "%2F" stays encoded in Request.Path
        "/arcgis/rest;x/services/Demo/FeatureServer/0/query",       // Tomcat drops ";x"
        "/arcgis/rest%5Cservices/Demo/FeatureServer/0/query",       // Kestrel decodes it to "\", IIS folds it to "/"
        "/arcgis/rest\\services/Demo/FeatureServer/0/query",        // a raw backslash
        "/arcgis/rest/services./Demo/FeatureServer/0/query",        // IIS strips a segment's trailing dot
        "/arcgis/rest/services%2e/Demo/FeatureServer/0/query",      // the same, encoded
        "/arcgis/rest/services%252FDemo/FeatureServer/0/query",     // arrives as "%2F", forwarded as "%2F"
        "/arcgis/r%2565st/services/Demo/FeatureServer/0/query",     // arrives as "r%65st", decoded again by the backend
        "/arcgis/rest/x/..%2Fservices/Demo/FeatureServer/0/query",  // ".." only once "%2F" is decoded
        "/arcgis/rest/x/..;/services/Demo/FeatureServer/0/query",   // Tomcat's "..;"
        "/arcgis/rest/services%3Bx/Demo/FeatureServer/0/query",     // "%3B" arrives as ";" and is forwarded as one
        "/arcgis/rest/services%20/Demo/FeatureServer/0/query",      // Windows strips a trailing space
        "/arcgis/rest%EF%BC%8Fservices/Demo/FeatureServer/0/query", // the full-width solidus, "/" under NFKC
    ];

    public static TheoryData<string> ProtectedSpellings() => new(s_protectedSpellings);

    [Theory]
    [MemberData(nameof(ProtectedSpellings))]
    public async Task Spellings_of_a_protected_path_need_a_token_before_a_catch_all(string target)
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapMethods("/arcgis/{**rest}", ["GET"], () => Reached),
            o => o.MapRoute(ProtectedPattern, Status499Meaning.TokenRequired),
            b => b.AddStaticTokens(GoodToken));

        var without = await SendAsync(app.Port, target);
        var with = await SendAsync(app.Port, target + "?token=" + GoodToken);

        without.Should().StartWith("HTTP/1.1 499 ").And.NotContain(Reached);
        with.Should().StartWith("HTTP/1.1 200 ").And.Contain(Reached, "a valid token still opens the path");
    }

    [Theory]
    [InlineData("/arcgis/rest/info")]
    [InlineData("/arcgis/rest/info%2Fx")]
    [InlineData("/arcgis/rest;x/info")]
    [InlineData("/arcgis/rest/services-other./x")]
    [InlineData("/arcgis/rest/services/../info")]
    public async Task Paths_outside_the_pattern_stay_open_however_they_are_spelled(string target)
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapMethods("/arcgis/{**rest}", ["GET"], () => Reached),
            o => o.MapRoute(ProtectedPattern, Status499Meaning.TokenRequired),
            b => b.AddStaticTokens(GoodToken));

        (await SendAsync(app.Port, target)).Should().StartWith("HTTP/1.1 200 ").And.Contain(Reached);
    }

    [Fact]
    public async Task A_default_of_TokenRequired_is_not_escaped_through_an_open_pattern()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapMethods("/{**rest}", ["GET"], () => Reached),
            o =>
            {
                o.DefaultMeaning = Status499Meaning.TokenRequired;
                o.MapRoute("/public/{**rest}", Status499Meaning.ClientClosedRequest);
            },
            b => b.AddStaticTokens(GoodToken));

        (await SendAsync(app.Port, "/public/file.txt")).Should().Contain(Reached);
        (await SendAsync(app.Port, "/public/..%2Fsecret.txt")).Should().StartWith("HTTP/1.1 499 ").And.NotContain(Reached);
    }

    [Fact]
    public async Task Encoded_spellings_never_reach_the_backend_through_YARP()
    {
        var received = new ConcurrentQueue<string>();
        await using var backend = await StartBackendAsync(received);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddStatus499(o => o.MapRoute(ProtectedPattern, Status499Meaning.TokenRequired)).AddStaticTokens(GoodToken);
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services); // YARP registers Data Protection (session affinity)
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "arcgis", ClusterId = "backend", Match = new RouteMatch { Path = "/arcgis/{**rest}" } }],
            [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = AddressOf(backend) } } }]);
        await using var proxy = builder.Build();
        proxy.UseRouting();
        proxy.UseStatus499();
        proxy.MapReverseProxy();
        await proxy.StartAsync();
        var port = new Uri(AddressOf(proxy)).Port;

        foreach (var target in s_protectedSpellings)
        {
            (await SendAsync(port, target)).Should().StartWith("HTTP/1.1 499 ", target).And.NotContain(Reached);
        }

        received.Should().BeEmpty("no spelling of a protected path reaches the backend without a token");

        // The proxy does forward: with a token the same spellings arrive, as YARP passes them on.
        var withToken = s_protectedSpellings.Select(target => target + "?token=" + GoodToken).ToList();
        foreach (var target in withToken)
        {
            (await SendAsync(port, target)).Should().Contain(Reached, target);
        }

        received.Should().HaveCount(withToken.Count);
    }

    private static async Task<string> SendAsync(int port, string target)
    {
        using var client = await RawHttpClient.ConnectAsync(port);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        return await client.ReceiveToEndAsync();
    }

    private static async Task<WebApplication> StartBackendAsync(ConcurrentQueue<string> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var backend = builder.Build();
        backend.Run(context =>
        {
            received.Enqueue(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
            return context.Response.WriteAsync(Reached);
        });
        await backend.StartAsync();
        return backend;
    }

    private static string AddressOf(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
