using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>
/// Where a handler finds the request's token among its parameters: a CancellationToken parameter (minimal APIs and MVC
/// bind it to HttpContext.RequestAborted), else HttpContext.RequestAborted through an HttpContext or HttpRequest
/// parameter, else the CancellationToken of a gRPC method's ServerCallContext. Null when it has none, and the code fix
/// adds a CancellationToken parameter.
/// </summary>
internal static class RequestToken
{
    public static string? FromParameters(ImmutableArray<IParameterSymbol> parameters, KnownTypes types)
    {
        foreach (var parameter in parameters)
        {
            if (types.IsToken(parameter.Type))
            {
                return Escape(parameter.Name);
            }
        }

        foreach (var parameter in parameters)
        {
            if (IsOrDerives(parameter.Type, types.HttpContext))
            {
                return Escape(parameter.Name) + ".RequestAborted";
            }

            if (IsOrDerives(parameter.Type, types.HttpRequest))
            {
                return Escape(parameter.Name) + ".HttpContext.RequestAborted";
            }

            if (IsOrDerives(parameter.Type, types.ServerCallContext))
            {
                return Escape(parameter.Name) + ".CancellationToken";
            }
        }

        return null;
    }

    /// <summary>A handler's own CancellationToken parameter, the only token a static lambda can reach.</summary>
    public static string? OwnToken(ImmutableArray<IParameterSymbol> parameters, KnownTypes types)
    {
        foreach (var parameter in parameters)
        {
            if (types.IsToken(parameter.Type))
            {
                return Escape(parameter.Name);
            }
        }

        return null;
    }

    private static bool IsOrDerives(ITypeSymbol type, INamedTypeSymbol? expected)
    {
        for (var current = type as INamedTypeSymbol; current is not null && expected is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, expected))
            {
                return true;
            }
        }

        return false;
    }

    // A parameter named after a keyword (@event) must be written with its @.
    private static string Escape(string name)
        => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None
            ? "@" + name
            : name;
}
