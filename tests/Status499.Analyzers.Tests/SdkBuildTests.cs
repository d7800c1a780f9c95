using System.Diagnostics;

namespace Status499.Analyzers.Tests;

/// <summary>
/// The analyzer as a user gets it: loaded by the SDK's own compiler in a real `dotnet build`. The other tests run it on
/// the Roslyn from NuGet; this one fails if the analyzer needs a newer compiler than the SDK ships (CS9057) or cannot
/// be loaded at all (CS8032).
/// </summary>
public class SdkBuildTests
{
    [Fact]
    public async Task The_SDK_compiler_loads_the_analyzer_and_warns_about_a_careless_endpoint()
    {
        var project = Directory.CreateTempSubdirectory("status499-analyzer-");
        try
        {
            var analyzers = AppContext.BaseDirectory;
            await File.WriteAllTextAsync(Path.Combine(project.FullName, "Careless.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <Analyzer Include="{Path.Combine(analyzers, "Status499.Analyzers.dll")}" />
                    <Analyzer Include="{Path.Combine(analyzers, "Status499.Analyzers.CodeFixes.dll")}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(project.FullName, "Program.cs"), """
                var app = WebApplication.Create(args);
                app.MapGet("/careless", async () =>
                {
                    await Task.Delay(3000);
                    return "finished for nobody";
                });
                app.Run();
                """);

            var (exitCode, output) = await DotnetAsync(project.FullName, "build", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");

            Assert.True(exitCode == 0, output);
            Assert.Contains("Program.cs(4,11): warning S499001", output, StringComparison.Ordinal);
            Assert.DoesNotContain("CS9057", output, StringComparison.Ordinal);
            Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal);
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet " + string.Join(' ', arguments) + " did not finish in 5 minutes: " + await stdout);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
