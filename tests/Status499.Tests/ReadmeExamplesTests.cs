using System.Text.RegularExpressions;
using Status499.Tests.RealClients;

namespace Status499.Tests;

// The C# blocks of the README and the docs pages are kept as files of tests/Status499.ReadmeExamples, a plain web
// project compiled with the solution (no Status499 global usings, clashing namespaces imported), and as the Quick start
// sample's Program.cs, which that project compiles too: a block that does not appear there verbatim fails here.
public sealed partial class ReadmeExamplesTests
{
    private static readonly string ExamplesDir = Path.Combine(RealClientHarness.RepoRoot, "tests", "Status499.ReadmeExamples");

    private static readonly string QuickStartProgram = Path.Combine(RealClientHarness.QuickStartProjectDir, "Program.cs");

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
        var files = Directory.EnumerateFiles(ExamplesDir, "*.cs").Append(QuickStartProgram).Select(f => Normalize(File.ReadAllText(f))).ToList();

        blocks.Should().HaveCountGreaterThanOrEqualTo(minimumBlocks);
        foreach (var block in blocks)
        {
            files.Should().Contain(f => f.Contains(block, StringComparison.Ordinal),
                $"this README block must be copied from tests/Status499.ReadmeExamples or samples/Status499.QuickStart/Program.cs:\n{block}");
        }
    }

    // The README's Program.cs is the Quick start sample's (samples/Status499.QuickStart, which QuickStartTests runs),
    // character for character: the examples project compiles that file, so a block that drifts from it fails here.
    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/nuget-readme.md")]
    public void The_README_program_is_the_Quick_start_sample_verbatim(string readmePath)
    {
        var program = File.ReadAllText(QuickStartProgram).ReplaceLineEndings("\n");
        var readme = File.ReadAllText(Path.Combine(RealClientHarness.RepoRoot, readmePath)).ReplaceLineEndings("\n");

        CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).Should().Contain(program,
            $"{readmePath} shows samples/Status499.QuickStart/Program.cs as one block, unchanged");
    }

    // Lines trimmed, blank lines dropped: indentation differs between a README block and a method body.
    private static string Normalize(string code)
        => string.Join('\n', code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
