using System.Net;
using System.Text.RegularExpressions;
using Status499.Tests.RealClients;

namespace Status499.Tests;

// The C# blocks of the README and the docs pages are kept as files of tests/Status499.ReadmeExamples, a plain web
// project compiled with the solution (no Status499 global usings, clashing namespaces imported): a block that does
// not appear there verbatim fails here, and the README's Program.cs is run as its own program.
public sealed partial class ReadmeExamplesTests
{
    private static readonly string ExamplesDir = Path.Combine(RealClientHarness.RepoRoot, "tests", "Status499.ReadmeExamples");

    // README.md, the docs pages its reference moved to, and the package's README (docs/nuget-readme.md, shown on the
    // gallery). docs/analyzers.md is not listed: its blocks show code the analyzer flags, not code to compile clean.
    [Theory]
    [InlineData("README.md", 3)]
    [InlineData("docs/client-closed.md", 1)]
    [InlineData("docs/tokens.md", 3)]
    [InlineData("docs/arcgis-server.md", 4)]
    [InlineData("docs/operating.md", 1)]
    [InlineData("docs/nuget-readme.md", 2)]
    public void Every_csharp_block_of_the_README_is_compiled_in_the_examples_project(string readmePath, int minimumBlocks)
    {
        var readme = File.ReadAllText(Path.Combine(RealClientHarness.RepoRoot, readmePath));
        var blocks = CSharpBlock().Matches(readme).Select(m => Normalize(m.Groups[1].Value)).ToList();
        var files = Directory.EnumerateFiles(ExamplesDir, "*.cs").Select(f => Normalize(File.ReadAllText(f))).ToList();

        blocks.Should().HaveCountGreaterThanOrEqualTo(minimumBlocks);
        foreach (var block in blocks)
        {
            files.Should().Contain(f => f.Contains(block, StringComparison.Ordinal),
                $"this README block must be copied from tests/Status499.ReadmeExamples:\n{block}");
        }
    }

    [Fact]
    public async Task Quick_start_runs_and_answers_both_meanings()
    {
        var dll = Directory.EnumerateFiles(Path.Combine(ExamplesDir, "bin"), "Status499.ReadmeExamples.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        await using var app = await SampleProcess.StartAsync(dll, ExamplesDir, new Dictionary<string, string?>());
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };

        (await http.GetStringAsync("/api/report?f=json")).Should().Contain("\"code\":499");
        (await http.GetStringAsync("/arcgis/rest/services/Demo/FeatureServer?f=json")).Should().Contain("\"code\":499");
        (await http.GetStringAsync("/arcgis/rest/services/Demo/FeatureServer?f=json&token=wrong")).Should().Contain("\"code\":498");
        (await http.GetStringAsync("/api/report?token=let-me-in")).Should().Be("report");

        // A client that leaves /slow is logged as a 499, not as an error. It leaves once the app logged the request
        // (UseHttpLogging, before the handler), not after a fixed time: a process that has just started may not have
        // read the request yet.
        using (var cts = new CancellationTokenSource())
        {
            var slow = http.GetAsync("/slow", cts.Token);
            (await Infrastructure.Signal.EventuallyAsync(() => app.Output.Contains("Path: /slow", StringComparison.Ordinal)))
                .Should().BeTrue($"the request reaches the app; output:\n{app.Output}");
            await cts.CancelAsync();
            await slow.Awaiting(t => t).Should().ThrowAsync<OperationCanceledException>();
        }

        (await Infrastructure.Signal.EventuallyAsync(() => app.Output.Contains("recorded as 499", StringComparison.Ordinal)))
            .Should().BeTrue($"the Quick start logs the client-closed request; output:\n{app.Output}");
        app.Output.Should().NotContain("fail:");
        (await http.GetAsync("/events")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    // Lines trimmed, blank lines dropped: indentation differs between a README block and a method body.
    private static string Normalize(string code)
        => string.Join('\n', code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
