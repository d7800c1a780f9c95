using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>The analyzer on the demo (samples/Status499.Demo) as it is on disk: its careless endpoint is flagged.</summary>
public class DemoTests
{
    // The Web SDK's implicit usings (Microsoft.NET.Sdk.Web's targets), which the demo relies on.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;

    [Fact]
    public async Task The_careless_endpoint_of_the_demo_is_flagged_and_only_its_pragma_silences_it()
    {
        var demoFolder = Path.Combine(RepositoryRoot(), "samples", "Status499.Demo");
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Directory.EnumerateFiles(demoFolder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, "GlobalUsings.g.cs"))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "Status499.Demo",
            trees,
            TestReferences.Framework.AddRange(TestReferences.Others),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        // Analyzing a demo that does not compile here would prove nothing.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The demo does not compile in the test: " + string.Join(Environment.NewLine, errors));

        var exceptions = new List<Exception>();
        var analyzed = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new RequestCancellationAnalyzer()),
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, _, _) => exceptions.Add(exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: true));
        var diagnostics = await analyzed.GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);

        var program = trees.Single(t => Path.GetFileName(t.FilePath) == "Program.cs");
        var careless = program.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Single(i => i.ArgumentList.Arguments.FirstOrDefault()?.Expression is LiteralExpressionSyntax { Token.ValueText: "/careless" });

        var flagged = diagnostics.Where(d => d.Id == DiagnosticIds.PassRequestToken
            && d.Location.SourceTree == program
            && careless.Span.Contains(d.Location.SourceSpan)).ToList();
        var diagnostic = Assert.Single(flagged);
        Assert.Equal("Task.Delay(3000)", program.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.True(diagnostic.IsSuppressed, "The demo's #pragma warning disable S499001 should suppress it.");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Status499.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Status499.sln not found above " + AppContext.BaseDirectory);
    }
}
