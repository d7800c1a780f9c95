using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;
using static Status499.Tests.ArcGisServer.GenerateTokenLockoutTests;

namespace Status499.Tests.ArcGisServer;

public sealed class GenerateTokenRateLimitTests
{
    [Fact]
    public async Task Too_many_requests_from_one_address_get_429_with_Retry_After_and_an_ArcGIS_body()
    {
        // Three at once, then three a minute: one every 20 s.
        await using var app = await StartAsync(configure: o =>
        {
            o.RateLimit.PermitLimit = 3;
            o.RateLimit.Window = TimeSpan.FromMinutes(1);
        });
        using var limited = new MetricCollector<long>(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Status499", "status499.token_service.rate_limited");
        using var client = Client(app);

        for (var i = 0; i < 3; i++)
        {
            (await SignInAsync(client, Username, "wrong-" + i)).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The right password too: the request is refused before its credentials are looked at.
        var (response, body) = await SignInAsync(client, Username, Password);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(20));
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        body.Should().Be("{\"error\":{\"code\":429,\"message\":\"Too Many Requests\",\"details\":[\"Too many generateToken requests from this address; retry after 20 seconds.\"]}}");
        limited.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenRateLimited")
            .Which.GetStructuredStateValue("ClientAddress").Should().Be("127.0.0.1");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Each_client_address_has_its_own_limit()
    {
        await using var app = await StartAsync(configure: o =>
        {
            o.RateLimit.PermitLimit = 2;
            o.RateLimit.Window = TimeSpan.FromMinutes(1);
        });
        using var first = Client(app);
        using var second = ClientFrom(app, IPAddress.Parse("127.0.0.2"));

        await SignInAsync(first, Username, "wrong-a");
        await SignInAsync(first, Username, "wrong-b");
        (await SignInAsync(first, Username, Password)).Response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        // Another address on the same machine (Linux routes all of 127.0.0.0/8 to loopback) still has its permits.
        var (response, body) = await SignInAsync(second, Username, Password);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().Contain("\"token\"");
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenRateLimited")
            .Which.GetStructuredStateValue("ClientAddress").Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task IPv6_clients_share_one_budget_per_56_network()
    {
        // Behind a proxy (UseForwardedHeaders trusts loopback): the client addresses come from X-Forwarded-For.
        await using var app = await StartAsync(
            configure: o =>
            {
                o.RateLimit.PermitLimit = 2;
                o.RateLimit.Window = TimeSpan.FromHours(1);
            },
            beforeStatus499: a => a.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor }));
        using var client = Client(app);

        (await SignInFromAsync(client, "2001:db8:0:1::1")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SignInFromAsync(client, "2001:db8:0:1::2")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Another /64 of the same /56: one customer's network, one budget.
        (await SignInFromAsync(client, "2001:db8:0:ff::1")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        // The next /56 is another customer.
        (await SignInFromAsync(client, "2001:db8:0:100::1")).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenRateLimited")
            .Which.GetStructuredStateValue("ClientAddress").Should().Be("2001:db8:0:ff::1");
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:0::1", "2001:db8:1:ff::1", true)]
    [InlineData("2001:db8:1:ff::1", "2001:db8:1:100::1", false)]
    [InlineData("10.0.0.1", "10.0.0.2", false)]
    [InlineData("10.0.0.1", "::ffff:10.0.0.1", true)]
    public void The_partition_of_an_address_is_its_56_network_or_its_IPv4_address(string first, string second, bool shared)
        => (GenerateTokenThrottle.PartitionOf(IPAddress.Parse(first)) == GenerateTokenThrottle.PartitionOf(IPAddress.Parse(second))).Should().Be(shared);

    [Fact]
    public async Task With_the_rate_limit_disabled_many_requests_are_answered()
    {
        await using var app = await StartAsync(configure: o =>
        {
            // A limit the requests below exceed, so the test does not depend on the default limit.
            o.RateLimit.Enabled = false;
            o.RateLimit.PermitLimit = 2;
            o.Lockout.Enabled = false;
        });
        using var client = Client(app);

        for (var i = 0; i < 10; i++)
        {
            (await SignInAsync(client, Username, "wrong-" + i)).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    // An HttpClient whose connections come from the given local address.
    private static async Task<HttpResponseMessage> SignInFromAsync(HttpClient client, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GenerateTokenPath)
        {
            Content = new FormUrlEncodedContent([new("username", Username), new("password", Password), new("f", "json")]),
        };
        request.Headers.Add("X-Forwarded-For", address);
        return await client.SendAsync(request);
    }

    private static HttpClient ClientFrom(TestApp app, IPAddress local)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = app.BaseAddress };
    }
}
