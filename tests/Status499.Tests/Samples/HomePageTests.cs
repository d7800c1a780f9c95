using Status499.Tests.RealClients;

namespace Status499.Tests.Samples;

// The demo's home page in Debian's headless Chromium (tests/clients/home-page.mjs): a person's clicks, the page's
// own counters and map. Screenshots land in <test output>/Demo/.
[Collection(RealClientsGroup.Name)]
public sealed class HomePageTests
{
    [Fact]
    public async Task Home_page_shows_aborted_requests_counted_as_499_and_draws_the_12_points_after_sign_in()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Fail($"Chromium not found at {chromium}: install it (apt-get install chromium) or set CHROMIUM_PATH.");
        }

        await RealClientHarness.EnsureClientsAsync(mapsSdk: false);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "Demo");
        Directory.CreateDirectory(screenshots);
        foreach (var old in new[] { "home-client-closed.png", "home-token-required.png", "home-full.png" })
        {
            File.Delete(Path.Combine(screenshots, old));
        }

        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await using var sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?> { ["Sample__DemoUser__Password"] = password });
        var run = await ClientScriptRun.RunAsync("home-page.mjs", sample, new Dictionary<string, string?>
        {
            ["DEMO_USERNAME"] = "demo",
            ["DEMO_PASSWORD"] = password,
            ["SCREENSHOT_DIR"] = screenshots,
            ["CHROMIUM_PATH"] = chromium,
        }, TimeSpan.FromMinutes(2));

        run.ShouldBeOk();
        run.Expect("counters./slow handler", 1);
        run.Expect("counters./stream response", 1);
        run.Expect("counters./upload request_body", 1);
        run.Expect("noTokenBody.code", 499);
        run.Expect("pointsDrawn", 12);
        run.Expect("whereSelected", 5);
        if (run.At("envelopeSelected").GetArrayLength() != 2)
        {
            run.Fail("the dragged rectangle must select the two places inside it");
        }

        foreach (var shot in new[] { "home-client-closed.png", "home-token-required.png" })
        {
            if (!File.Exists(Path.Combine(screenshots, shot)))
            {
                run.Fail($"no screenshot {shot} in {screenshots}");
            }
        }
    }
}
