using System.Net;
using System.Net.Sockets;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Gateway;

// YARP's forwarder errors, classified as Envoy does: the client left (recorded 499, the service's call cancelled)
// versus the service failed (502) or timed out (504), with an ArcGIS error body for clients that asked for JSON.
public sealed class GatewayForwarderErrorTests
{
    [Fact]
    public async Task A_client_that_leaves_mid_call_is_recorded_499_once_and_the_services_call_is_cancelled()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address, slowTimeout: null));
        string token;
        using (var http = gateway.CreateClient())
        {
            token = await gateway.GenerateTokenAsync(http);
        }

        using (var client = await RawHttpClient.ConnectAsync(gateway.Port))
        {
            await client.SendGetAsync(ArcGisUpstream.SlowQueryPath + "?f=json&token=" + token);
            await upstream.SlowStarted.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        await upstream.SlowCancelled.WaitAsync();
        var observed = await WaitForPathAsync(gateway, ArcGisUpstream.SlowQueryPath);
        observed.StatusCode.Should().Be(499, "YARP alone answers 400 here (RequestCanceled with RequestAborted cancelled)");
        observed.Meaning.Should().Be(Status499Meaning.TokenRequired);
        observed.Phase.Should().Be(ClientDisconnectPhase.Handler);
        await gateway.ClientClosedRequests.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        gateway.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags.Should().Contain("status499.meaning", "token_required");
        // The hosting metric is recorded once the request is disposed, after the pipeline (and the observer) returned.
        await gateway.RequestDuration.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        var statuses = gateway.RequestDuration.GetMeasurementSnapshot().Select(m => m.Tags["http.response.status_code"]).ToList();
        statuses.Should().Equal([200, 499], "generateToken, then the abandoned query, in the hosting metric");
    }

    [Fact]
    public async Task A_service_that_is_down_gets_502_with_an_ArcGIS_error_body()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["ReverseProxy:Clusters:upstream:Destinations:one:Address"] = $"http://127.0.0.1:{ClosedPort()}/";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var json = await client.GetAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json&token=" + token);
        using var html = await client.GetAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?token=" + token);

        json.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await json.Content.ReadAsStringAsync()).Should().Be(
            """{"error":{"code":502,"message":"Bad Gateway","details":["The service behind the gateway could not be reached."]}}""");
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        html.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await html.Content.ReadAsStringAsync()).Should().BeEmpty("no f=json: YARP's bare status");
        gateway.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client did not leave");
    }

    [Fact]
    public async Task A_service_slower_than_the_clusters_timeout_gets_504_and_its_call_is_cancelled()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address, slowTimeout: "00:00:01"));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var response = await client.GetAsync(ArcGisUpstream.SlowQueryPath.TrimStart('/') + "?f=pjson&token=" + token);

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        (await response.Content.ReadAsStringAsync()).Should().Be(
            """{"error":{"code":504,"message":"Gateway Timeout","details":["The service behind the gateway did not answer in time."]}}""");
        await upstream.SlowCancelled.WaitAsync();
        gateway.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client did not leave");
    }

    private static async Task<Observation> WaitForPathAsync(GatewayHost gateway, string path)
    {
        (await Signal.EventuallyAsync(() => gateway.Observer.All.Any(o => o.Path == path))).Should().BeTrue();
        return gateway.Observer.All.Single(o => o.Path == path);
    }

    // A port nothing listens on: taken from the system, then given back.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
