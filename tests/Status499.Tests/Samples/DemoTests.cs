using System.Net;
using System.Text.Json;
using Status499.Tests.Infrastructure;
using Status499.Tests.RealClients;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.Samples;

// The demo (samples/Status499.Demo) as a person runs it: its own process, configured only through settings.
[Collection(RealClientsGroup.Name)]
public sealed class DemoTests
{
    private readonly string _token = "test-token-" + Guid.NewGuid().ToString("N");
    private readonly string _password = "pw-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Demo_signs_in_the_configured_user_and_accepts_both_minted_and_static_tokens()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>
        {
            ["Sample__DemoUser__Username"] = "tester",
            ["Sample__DemoUser__Password"] = _password,
            ["Sample__DemoToken"] = _token,
        });
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };

        var info = await JsonAsync(await client.GetAsync("/arcgis/rest/info?f=json"));
        var (_, refused) = await PostAsync(client, GenerateTokenPath, ("username", "demo"), ("password", "demo-password"), ("f", "json"));
        var (_, issued) = await PostAsync(client, GenerateTokenPath, ("request", "getToken"), ("username", "tester"), ("password", _password), ("expiration", "60"), ("f", "json"));
        var minted = issued.GetProperty("token").GetString()!;

        info.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString().Should().Be(sample.Url + GenerateTokenPath);
        refused.GetProperty("error").GetProperty("code").GetInt32().Should().Be(400, "the configured user replaces the development default");
        (await client.GetAsync("/api/report?token=" + Uri.EscapeDataString(minted))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/report?token=" + _token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/report?token=status499-demo-token")).StatusCode.Should().Be((HttpStatusCode)498, "the configured token replaces the default");
        (await client.GetAsync("/api/report")).StatusCode.Should().Be((HttpStatusCode)499);
    }

    [Fact]
    public async Task Demo_in_Development_prints_the_urls_to_open_and_the_demo_defaults()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>());
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };

        (await Signal.EventuallyAsync(() => sample.Output.Contains("Demo token", StringComparison.Ordinal))).Should().BeTrue(sample.Output);
        sample.Output.Should().Contain($"Home page        {sample.Url}/ ")
            .And.Contain($"Feature service  {sample.Url}/arcgis/rest/services/Demo/FeatureServer ")
            .And.Contain("Demo user        demo / demo-password  (demo default: set Sample__DemoUser__Password to change it)")
            .And.Contain("Demo token       status499-demo-token  (demo default");
        var (_, issued) = await PostAsync(client, GenerateTokenPath, ("username", "demo"), ("password", "demo-password"), ("f", "json"));
        issued.TryGetProperty("token", out _).Should().BeTrue(issued.ToString());
        (await client.GetAsync("/api/report?token=status499-demo-token")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Demo_saves_the_order_although_the_client_left_and_records_a_499()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>());
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };
        (await client.GetStringAsync("/orders")).Should().Be("""{"saved":0}""");

        // The handler takes 2 s; the client gives up once the request is logged as arrived (UseHttpLogging logs it before
        // the handler runs), not after a fixed time that a process that has just started may not have read it in.
        var arrivedBefore = Occurrences(sample.Output, "Path: /orders");
        using var leave = new CancellationTokenSource();
        var order = client.PostAsync("/orders", null, leave.Token);
        (await Signal.EventuallyAsync(() => Occurrences(sample.Output, "Path: /orders") > arrivedBefore)).Should().BeTrue(sample.Output);
        await leave.CancelAsync();
        await FluentActions.Awaiting(() => order).Should().ThrowAsync<OperationCanceledException>();

        (await Signal.EventuallyAsync(() => client.GetStringAsync("/orders").GetAwaiter().GetResult() == """{"saved":1}""")).Should().BeTrue("the order is saved after the client left");
        (await Signal.EventuallyAsync(() => client.GetStringAsync("/demo/counters").GetAwaiter().GetResult().Contains("/orders", StringComparison.Ordinal)))
            .Should().BeTrue("the request is still recorded as client-closed");
    }

    // The README's /queued example: a second request waits in the rate limiter's queue behind the first and leaves
    // there. Recorded as a 499 in the phase queued, on the home page's counters and in the log with its queue wait.
    [Fact]
    public async Task Demo_records_a_client_that_leaves_while_queued_in_the_phase_queued()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>());
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };
        using var first = new CancellationTokenSource();
        var holding = client.GetAsync("/queued", first.Token);

        // The first holds the permit once its handler runs, which logs it.
        (await Signal.EventuallyAsync(() => Occurrences(sample.Output, "/queued holds the only permit") == 1)).Should().BeTrue(sample.Output);

        using (var second = new CancellationTokenSource())
        {
            var queued = client.GetAsync("/queued", second.Token);
            (await Signal.EventuallyAsync(() => Occurrences(sample.Output, "Path: /queued") == 2)).Should().BeTrue(sample.Output);
            await Task.Delay(200); // the queue wait the log reports
            await second.CancelAsync();
            await FluentActions.Awaiting(() => queued).Should().ThrowAsync<OperationCanceledException>();
        }

        var counters = await WaitForCountersAsync(client, c => Count(c, "/queued", "queued") == 1);
        Count(counters, "/queued", "handler").Should().Be(0, "the first request is still running");
        sample.Output.Should().Contain("The client closed the request in the queued phase");
        await first.CancelAsync();
        await FluentActions.Awaiting(() => holding).Should().ThrowAsync<OperationCanceledException>();
        sample.Output.Should().NotContain("fail:");
    }

    // `dotnet run --project samples/Status499.Demo --urls …` (the README's command) takes this profile: Development,
    // where the demo defaults apply.
    [Fact]
    public void Launch_profile_runs_the_demo_as_Development()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RealClientHarness.DemoProjectDir, "Properties", "launchSettings.json")));

        var profiles = doc.RootElement.GetProperty("profiles").EnumerateObject().ToList();
        profiles.Should().ContainSingle("dotnet run takes the first Project profile; one avoids surprises");
        var profile = profiles[0].Value;
        profile.GetProperty("commandName").GetString().Should().Be("Project");
        profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString().Should().Be("Development");
        profile.GetProperty("applicationUrl").GetString().Should().Be("http://localhost:5000");
    }

    [Fact]
    public async Task Demo_with_a_max_token_lifetime_issues_tokens_that_expire_that_soon_whatever_is_asked()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>
        {
            ["Sample__DemoUser__Password"] = _password,
            ["Sample__MaxTokenLifetime"] = "00:00:02",
        });
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };

        var asked = DateTimeOffset.UtcNow;
        var (_, issued) = await PostAsync(client, GenerateTokenPath, ("username", "demo"), ("password", _password), ("expiration", "60"), ("f", "json"));
        var token = Uri.EscapeDataString(issued.GetProperty("token").GetString()!);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(issued.GetProperty("expires").GetInt64());
        expires.Should().BeCloseTo(asked.AddSeconds(2), TimeSpan.FromSeconds(2), "60 minutes were asked, 2 s granted");
        (await client.GetAsync("/api/report?token=" + token)).StatusCode.Should().Be(HttpStatusCode.OK);
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500));

        (await client.GetAsync("/api/report?token=" + token)).StatusCode.Should().Be((HttpStatusCode)498, "the token expired");
    }

    [Fact]
    public async Task Demo_refuses_to_start_with_a_max_token_lifetime_that_is_not_a_time_span_and_names_the_key()
    {
        var dll = RealClientHarness.FindBuiltDll(RealClientHarness.DemoProjectDir);
        var run = await ProcessRun.RunAsync("dotnet", [dll, "--urls", "http://127.0.0.1:0"], RealClientHarness.DemoProjectDir,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Sample__MaxTokenLifetime"] = "3s", ["DOTNET_NOLOGO"] = "1" },
            TimeSpan.FromSeconds(60));

        run.ExitCode.Should().Be(1, run.Describe());
        run.Stderr.Should().Contain("Sample:MaxTokenLifetime").And.Contain("'3s'");
        run.Stdout.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task Demo_outside_Development_refuses_to_start_without_a_configured_password_and_says_how_to_set_it()
    {
        var dll = RealClientHarness.FindBuiltDll(RealClientHarness.DemoProjectDir);
        var run = await ProcessRun.RunAsync("dotnet", [dll, "--urls", "http://127.0.0.1:0"], RealClientHarness.DemoProjectDir,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Sample__DemoUser__Password"] = null, ["DOTNET_NOLOGO"] = "1" },
            TimeSpan.FromSeconds(60));

        run.ExitCode.Should().Be(1, run.Describe());
        run.Stderr.Should().Contain("'Production'").And.Contain("Sample__DemoUser__Password=").And.Contain("ASPNETCORE_ENVIRONMENT=Development");
        run.Stdout.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task Demo_outside_Development_keeps_the_configured_password_out_of_the_console_and_accepts_no_default_token()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Sample__DemoUser__Password"] = _password,
        });
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };

        (await Signal.EventuallyAsync(() => sample.Output.Contains("Demo token", StringComparison.Ordinal))).Should().BeTrue(sample.Output);
        sample.Output.Should().Contain("Demo user        demo / (from configuration)")
            .And.Contain("Demo token       (none: set Sample__DemoToken to accept one)")
            .And.NotContain(_password);
        (await client.GetAsync("/api/report?token=status499-demo-token")).StatusCode.Should().Be((HttpStatusCode)498);
        var (_, issued) = await PostAsync(client, GenerateTokenPath, ("username", "demo"), ("password", _password), ("f", "json"));
        (await client.GetAsync("/api/report?token=" + Uri.EscapeDataString(issued.GetProperty("token").GetString()!))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Home_page_counters_report_each_client_closed_request_by_route_and_phase_from_the_library_metric()
    {
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?>());
        using var client = new HttpClient { BaseAddress = new Uri(sample.Url) };
        (await client.GetStringAsync("/")).Should().Contain("HTTP 499 has two meanings");

        // Handler: leave once the request is logged as arrived (UseHttpLogging logs it before the handler runs).
        using (var cts = new CancellationTokenSource())
        {
            var slow = client.GetAsync("/slow", cts.Token);
            (await Signal.EventuallyAsync(() => sample.Output.Contains("Path: /slow", StringComparison.Ordinal))).Should().BeTrue(sample.Output);
            await cts.CancelAsync();
            await slow.Awaiting(t => t).Should().ThrowAsync<OperationCanceledException>();
        }

        // Response: leave after the first chunk.
        using (var cts = new CancellationTokenSource())
        {
            using var response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
            (await body.ReadAsync(new byte[8], cts.Token)).Should().BePositive();
            await cts.CancelAsync();
        }

        // Request body: leave mid-upload, after 1 MB of an endless body was handed to the socket.
        using (var cts = new CancellationTokenSource())
        {
            var content = new EndlessContent(1024 * 1024, cts);
            await client.Awaiting(c => c.PostAsync("/upload", content, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        }

        var counters = await WaitForCountersAsync(client, c => Count(c, "/slow", "handler") == 1 && Count(c, "/stream", "response") == 1 && Count(c, "/upload", "request_body") == 1);
        counters.GetProperty("total").GetInt32().Should().Be(3, counters.ToString());
        counters.GetProperty("perSecond").EnumerateArray().Sum(e => e.GetInt32()).Should().Be(3);
        sample.Output.Should().NotContain("fail:");
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static int Count(JsonElement counters, string route, string phase) => counters.GetProperty("byRoute").EnumerateArray()
        .Where(r => r.GetProperty("route").GetString() == route && r.GetProperty("phase").GetString() == phase)
        .Sum(r => r.GetProperty("count").GetInt32());

    // Polls /demo/counters (bounded): the metric is recorded after the response, with no event a test can wait on.
    private static async Task<JsonElement> WaitForCountersAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync("/demo/counters"));
            var counters = doc.RootElement.Clone();
            if (done(counters))
            {
                return counters;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the counters never showed the requests: {counters}");
            }

            await Task.Delay(50);
        }
    }

    // A request body that never ends: cancels the request once `cancelAfter` bytes went out.
    private sealed class EndlessContent(int cancelAfter, CancellationTokenSource cts) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var chunk = new byte[64 * 1024];
            for (var sent = 0; ; sent += chunk.Length)
            {
                if (sent >= cancelAfter)
                {
                    await cts.CancelAsync();
                }

                await stream.WriteAsync(chunk, cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
