using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>
/// MVC's rule for which methods are actions, for controllers that derive from ControllerBase or carry [ApiController]:
/// public instance methods that are not generic, not [NonAction], and not declared on object
/// (https://github.com/dotnet/aspnetcore, src/Mvc/Mvc.Core/src/ApplicationModels/DefaultApplicationModelProvider.cs,
/// IsAction; ControllerFeatureProvider.IsController for the type).
/// </summary>
internal static class ControllerActions
{
    public static bool IsAction(IMethodSymbol method, KnownTypes types)
    {
        if (method.MethodKind != MethodKind.Ordinary
            || method.DeclaredAccessibility != Accessibility.Public
            || method.IsStatic
            || method.IsAbstract
            || method.IsGenericMethod
            || HasAttribute(method, types.NonActionAttribute)
            || OverridesObject(method)
            || (method.Name == "Dispose" && method.Parameters.Length == 0))
        {
            return false;
        }

        var type = method.ContainingType;
        return type is { TypeKind: TypeKind.Class, IsAbstract: false, IsGenericType: false, DeclaredAccessibility: Accessibility.Public }
            && !HasAttribute(type, types.NonControllerAttribute)
            && IsController(type, types);
    }

    private static bool IsController(INamedTypeSymbol type, KnownTypes types)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, types.ControllerBase)
                || HasAttribute(current, types.ApiControllerAttribute))
            {
                return true;
            }
        }

        return false;
    }

    private static bool OverridesObject(IMethodSymbol method)
    {
        var root = method;
        while (root.OverriddenMethod is { } overridden)
        {
            root = overridden;
        }

        return root.ContainingType.SpecialType == SpecialType.System_Object;
    }

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return false;
        }

        foreach (var data in symbol.GetAttributes())
        {
            for (var current = data.AttributeClass; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, attribute))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
