using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Status499.Analyzers.Tests.Infrastructure;

/// <summary>
/// The assemblies this test project was compiled against, as listed at build time in analyzer-test-references.txt
/// (see the csproj): the SDK's .NET and ASP.NET Core reference assemblies, and the rest (the library, packages).
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<(ImmutableArray<MetadataReference> Framework, ImmutableArray<MetadataReference> Others)> Loaded = new(Load);

    /// <summary>Microsoft.NETCore.App and Microsoft.AspNetCore.App: what a web project compiles against.</summary>
    public static ImmutableArray<MetadataReference> Framework => Loaded.Value.Framework;

    /// <summary>Everything else this project references (Status499 among them), except the demo itself.</summary>
    public static ImmutableArray<MetadataReference> Others => Loaded.Value.Others;

    /// <summary>Grpc.Core.Api, where a gRPC service's ServerCallContext lives; every test source may use it.</summary>
    public static ImmutableArray<MetadataReference> Grpc => Loaded.Value.Others
        .Where(r => Path.GetFileName(r.Display) is "Grpc.Core.Api.dll")
        .ToImmutableArray();

    private static (ImmutableArray<MetadataReference>, ImmutableArray<MetadataReference>) Load()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "analyzer-test-references.txt");
        var framework = ImmutableArray.CreateBuilder<MetadataReference>();
        var others = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var line in File.ReadAllLines(file))
        {
            var separator = line.IndexOf('|', StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var frameworkName = line[..separator];
            var path = line[(separator + 1)..];
            if (frameworkName is "Microsoft.NETCore.App" or "Microsoft.AspNetCore.App")
            {
                framework.Add(MetadataReference.CreateFromFile(path));
            }
            else if (!Path.GetFileName(path).Equals("Status499.Demo.dll", StringComparison.OrdinalIgnoreCase))
            {
                others.Add(MetadataReference.CreateFromFile(path));
            }
        }

        if (framework.Count == 0)
        {
            throw new InvalidOperationException($"{file} lists no framework reference assemblies.");
        }

        return (framework.ToImmutable(), others.ToImmutable());
    }
}
