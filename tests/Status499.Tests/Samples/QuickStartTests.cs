using System.Net;
using Status499.Tests.Infrastructure;
using Status499.Tests.RealClients;

namespace Status499.Tests.Samples;

// The Quick start sample (samples/Status499.QuickStart, the README's Program.cs) as `dotnet run` starts it: its own
// process on Kestrel, no launch profile (so Production) and nothing configured.
[Collection(RealClientsGroup.Name)]
public sealed class QuickStartTests
{
    [Fact]
    public async Task Quick_start_records_a_client_that_left_as_499_and_answers_its_token_route_with_499_498_and_200()
    {
        var dll = RealClientHarness.FindBuiltDll(RealClientHarness.QuickStartProjectDir);
        await using var app = await SampleProcess.StartAsync(dll, RealClientHarness.QuickStartProjectDir,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };

        // Token Required: the endpoint's RequireToken() and the route mapped in AddStatus499, with the inline validator.
        (await http.GetAsync("/api/report")).StatusCode.Should().Be((HttpStatusCode)499);
        (await http.GetAsync("/api/report?token=wrong")).StatusCode.Should().Be((HttpStatusCode)498);
        using (var allowed = await http.GetAsync("/api/report?token=let-me-in"))
        {
            allowed.StatusCode.Should().Be(HttpStatusCode.OK);
            (await allowed.Content.ReadAsStringAsync()).Should().Be("report");
        }

        (await http.GetStringAsync("/arcgis/rest/services/Demo/FeatureServer?f=json")).Should().Contain("\"code\":499");
        (await http.GetStringAsync("/arcgis/rest/services/Demo/FeatureServer?f=json&token=wrong")).Should().Contain("\"code\":498");
        (await http.GetStringAsync("/arcgis/rest/services/Demo/FeatureServer?token=let-me-in")).Should().Be("layers");

        // Client Closed Request: the client leaves /slow once the app logged the request (UseHttpLogging, before the
        // handler), not after a fixed time: a process that has just started may not have read the request yet.
        using (var leave = new CancellationTokenSource())
        {
            var slow = http.GetAsync("/slow", leave.Token);
            (await Signal.EventuallyAsync(() => app.Output.Contains("Path: /slow", StringComparison.Ordinal)))
                .Should().BeTrue($"the request reaches the app; output:\n{app.Output}");
            await leave.CancelAsync();
            await slow.Awaiting(t => t).Should().ThrowAsync<OperationCanceledException>();
        }

        // Recorded as 499 by Status499's own log and by the hosting log that the app's operators read.
        (await Signal.EventuallyAsync(() => app.Output.Contains($"Request finished HTTP/1.1 GET {app.Url}/slow - 499", StringComparison.Ordinal)))
            .Should().BeTrue($"the hosting log records the request as 499; output:\n{app.Output}");
        app.Output.Should().Contain("GET /slow (route /slow)").And.Contain("recorded as 499").And.NotContain("fail:");
        (await http.GetAsync("/events")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
