using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>
/// gRPC service methods of Grpc.AspNetCore: overrides, in a service class, of a method of the base class that
/// Grpc.Tools generates for a .proto service (<c>Greeter.GreeterBase</c>, marked <c>[BindServiceMethod]</c>), whose
/// last parameter is the call's <c>Grpc.Core.ServerCallContext</c>. Its CancellationToken fires when the client
/// cancels the call, its deadline passes or the request is aborted
/// (https://github.com/grpc/grpc-dotnet, src/Grpc.AspNetCore.Server/Internal/ServerCallDeadlineManager.cs).
/// Matched by metadata name: the analyzer references no gRPC assembly.
/// </summary>
internal static class GrpcServiceMethods
{
    public static bool IsServiceMethod(IMethodSymbol method, KnownTypes types)
    {
        if (types.ServerCallContext is null
            || method.MethodKind != MethodKind.Ordinary
            || !method.IsOverride
            || method.IsStatic
            || method.Parameters.Length == 0
            || !SymbolEqualityComparer.Default.Equals(method.Parameters[method.Parameters.Length - 1].Type, types.ServerCallContext))
        {
            return false;
        }

        var root = method;
        while (root.OverriddenMethod is { } overridden)
        {
            root = overridden;
        }

        var generatedBase = root.ContainingType;
        return generatedBase.IsAbstract && (generatedBase.Name.EndsWith("Base", System.StringComparison.Ordinal) || HasBindServiceMethod(generatedBase, types));
    }

    private static bool HasBindServiceMethod(INamedTypeSymbol type, KnownTypes types)
    {
        if (types.BindServiceMethodAttribute is null)
        {
            return false;
        }

        foreach (var data in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, types.BindServiceMethodAttribute))
            {
                return true;
            }
        }

        return false;
    }
}
