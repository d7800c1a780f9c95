using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// HTTP/2 over cleartext with prior knowledge: a cancelled HttpClient request sends RST_STREAM for its stream only.
public sealed class Http2ClientClosedRequestTests
{
    [Fact]
    public async Task Rst_stream_is_recorded_as_499_and_other_streams_on_the_connection_are_unaffected()
    {
        var entered = new Signal();
        var releaseOthers = new Signal();
        var protocols = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/slow", async (HttpContext context) =>
                {
                    protocols.Add(context.Request.Protocol);
                    entered.Set();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                });
                a.MapGet("/other", async (HttpContext context) =>
                {
                    protocols.Add(context.Request.Protocol);
                    await releaseOthers.WaitAsync();
                    return "other";
                });
            },
            protocols: HttpProtocols.Http2);

        using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
        using var http = new HttpClient(handler)
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Open the connection and keep a second stream in flight on it while the first is reset.
        var other = http.GetAsync("/other");
        await ClientCancellation.CancelOnceEnteredAsync(http, "/slow", entered);

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);

        releaseOthers.Set();
        using var otherResponse = await other;
        otherResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        otherResponse.Version.Should().Be(HttpVersion.Version20);
        (await otherResponse.Content.ReadAsStringAsync()).Should().Be("other");
        using var after = await http.GetAsync("/other");
        after.StatusCode.Should().Be(HttpStatusCode.OK, "the connection survives the reset stream");

        protocols.Should().OnlyContain(p => p == "HTTP/2");
        await app.RequestDuration.WaitForMeasurementsAsync(3, TimeSpan.FromSeconds(10));
        app.RequestDuration.GetMeasurementSnapshot()
            .Select(m => Convert.ToInt32(m.Tags["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture))
            .Should().BeEquivalentTo([499, 200, 200]);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags["http.route"].Should().Be("/slow");
    }
}
