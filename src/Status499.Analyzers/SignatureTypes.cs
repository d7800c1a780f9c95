using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>
/// Compares parameter types of two overloads as declared: method type parameters match by position (the T of
/// ReadAsync&lt;T&gt;(T) and of ReadAsync&lt;T&gt;(T, CancellationToken) are different symbols), the rest by identity.
/// </summary>
internal static class SignatureTypes
{
    public static bool AreEqual(ITypeSymbol left, ITypeSymbol right)
    {
        switch (left)
        {
            case ITypeParameterSymbol l when right is ITypeParameterSymbol r:
                return l.TypeParameterKind == r.TypeParameterKind
                    && (l.TypeParameterKind == TypeParameterKind.Method
                        ? l.Ordinal == r.Ordinal
                        : SymbolEqualityComparer.Default.Equals(l, r));
            case IArrayTypeSymbol l when right is IArrayTypeSymbol r:
                return l.Rank == r.Rank && AreEqual(l.ElementType, r.ElementType);
            case IPointerTypeSymbol l when right is IPointerTypeSymbol r:
                return AreEqual(l.PointedAtType, r.PointedAtType);
            case INamedTypeSymbol { IsGenericType: true } l when right is INamedTypeSymbol { IsGenericType: true } r:
                if (!SymbolEqualityComparer.Default.Equals(l.OriginalDefinition, r.OriginalDefinition)
                    || l.TypeArguments.Length != r.TypeArguments.Length)
                {
                    return false;
                }

                for (var i = 0; i < l.TypeArguments.Length; i++)
                {
                    if (!AreEqual(l.TypeArguments[i], r.TypeArguments[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return SymbolEqualityComparer.Default.Equals(left, right);
        }
    }
}
