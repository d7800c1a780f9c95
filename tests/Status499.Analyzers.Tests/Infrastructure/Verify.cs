using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Status499.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs the analyzer (and the code fix) with Microsoft.CodeAnalysis.Testing against the SDK's ASP.NET Core reference
/// assemblies. The framework checks that the sources compile, that exactly the expected diagnostics are reported, and
/// that the fix, one at a time and fix-all, gives the fixed source.
/// </summary>
internal static class Verify
{
    /// <summary>What a web project's implicit usings give it (the Web SDK's list), written out so tests read alone.</summary>
    public const string Usings = """
        using System;
        using System.IO;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.AspNetCore.Routing;

        """;

    public static DiagnosticResult PassToken(int location) =>
        new DiagnosticResult(DiagnosticIds.PassRequestToken, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(location).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    public static DiagnosticResult HandlerWithoutToken(int location) =>
        new DiagnosticResult(DiagnosticIds.HandlerWithoutToken, Microsoft.CodeAnalysis.DiagnosticSeverity.Info).WithLocation(location).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<RequestCancellationAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new CSharpCodeFixTest<RequestCancellationAnalyzer, RequestCancellationCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static void Configure(SolutionState state)
    {
        // No reference package: the SDK's own reference assemblies (TestReferences), so nothing is downloaded.
        state.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        state.AdditionalReferences.AddRange(TestReferences.Framework);
        state.AdditionalReferences.AddRange(TestReferences.Grpc);
    }
}
