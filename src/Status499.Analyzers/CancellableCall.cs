using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Status499.Analyzers;

/// <summary>
/// A call that could take a CancellationToken and was given none: the callee has an optional CancellationToken parameter
/// left at its default, or the callee has an overload that is the same parameter list plus one CancellationToken (the
/// shape of CA2016, https://github.com/dotnet/roslyn-analyzers, ForwardCancellationTokenToInvocationsAnalyzer). A token
/// that is written, CancellationToken.None included, is a decision and is left alone.
/// </summary>
internal readonly struct CancellableCall
{
    private CancellableCall(IParameterSymbol tokenParameter, int? position)
    {
        TokenParameter = tokenParameter;
        Position = position;
    }

    /// <summary>The CancellationToken parameter of the method that should be called.</summary>
    public IParameterSymbol TokenParameter { get; }

    /// <summary>Index among the written arguments where the token goes; null when it must be a named argument.</summary>
    public int? Position { get; }

    public static bool TryFind(IInvocationOperation invocation, KnownTypes types, out CancellableCall call)
    {
        call = default;
        var method = invocation.TargetMethod;
        if (invocation.Syntax is not InvocationExpressionSyntax syntax)
        {
            return false;
        }

        foreach (var parameter in method.Parameters)
        {
            if (!types.IsToken(parameter.Type))
            {
                continue;
            }

            // The callee takes a token: only an omitted optional one is a miss.
            foreach (var argument in invocation.Arguments)
            {
                if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition))
                {
                    if (argument.ArgumentKind != ArgumentKind.DefaultValue)
                    {
                        return false;
                    }

                    call = new CancellableCall(parameter, PositionFor(invocation, syntax, parameter.Ordinal));
                    return true;
                }
            }

            return false;
        }

        if (method.Parameters.Length > 0 && method.Parameters[method.Parameters.Length - 1].IsParams)
        {
            return false;
        }

        var overloadToken = FindOverloadToken(invocation, types);
        if (overloadToken is null)
        {
            return false;
        }

        call = new CancellableCall(overloadToken, PositionFor(invocation, syntax, overloadToken.Ordinal));
        return true;
    }

    // Positional when every written argument is positional and they reach the token's place (omitted optional
    // parameters can only follow them); otherwise a named argument, which is valid last whatever came before.
    private static int? PositionFor(IInvocationOperation invocation, InvocationExpressionSyntax syntax, int ordinal)
    {
        var written = syntax.ArgumentList.Arguments;
        foreach (var argument in written)
        {
            if (argument.NameColon is not null)
            {
                return null;
            }
        }

        // x.Extension(a) writes the `this` argument before the dot, not in the argument list.
        var position = IsReducedExtensionCall(invocation) ? ordinal - 1 : ordinal;
        return position >= 0 && position <= written.Count ? position : null;
    }

    private static bool IsReducedExtensionCall(IInvocationOperation invocation)
        => invocation.TargetMethod.IsExtensionMethod
            && invocation.Arguments.Length > 0
            && invocation.Arguments[0].Parameter?.Ordinal == 0
            && invocation.Arguments[0].Syntax is not ArgumentSyntax;

    private static IParameterSymbol? FindOverloadToken(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        var within = ContainingTypeOf(invocation);

        // Instance methods: the receiver's static type and its bases (a derived type may add the overload); static and
        // extension methods: their own type.
        var start = !method.IsStatic && invocation.Instance?.Type is INamedTypeSymbol receiver ? receiver : method.ContainingType;
        for (var type = start; type is not null; type = type.BaseType)
        {
            var found = FindIn(type, method, types, within);
            if (found is not null)
            {
                return found;
            }
        }

        if (method.ContainingType.TypeKind == TypeKind.Interface)
        {
            foreach (var type in method.ContainingType.AllInterfaces)
            {
                var found = FindIn(type, method, types, within);
                if (found is not null)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static IParameterSymbol? FindIn(INamedTypeSymbol type, IMethodSymbol method, KnownTypes types, ISymbol? within)
    {
        var original = method.OriginalDefinition;
        foreach (var member in type.GetMembers(method.Name))
        {
            if (member is not IMethodSymbol candidate
                || candidate.IsStatic != method.IsStatic
                || candidate.Arity != method.Arity
                || candidate.Parameters.Length != method.Parameters.Length + 1
                || SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, original)
                || (within is not null && !types.Compilation.IsSymbolAccessibleWithin(candidate, within))
                || IsObsolete(candidate, types))
            {
                continue;
            }

            var token = TokenAddedTo(original, candidate.OriginalDefinition, types);
            if (token is not null)
            {
                return token;
            }
        }

        return null;
    }

    // The candidate's parameters are the original's, in order, with one CancellationToken inserted somewhere.
    private static IParameterSymbol? TokenAddedTo(IMethodSymbol original, IMethodSymbol candidate, KnownTypes types)
    {
        IParameterSymbol? token = null;
        var j = 0;
        foreach (var parameter in candidate.Parameters)
        {
            if (token is null && types.IsToken(parameter.Type) && !parameter.IsParams
                && (j == original.Parameters.Length || !types.IsToken(original.Parameters[j].Type)))
            {
                token = parameter;
                continue;
            }

            if (j >= original.Parameters.Length
                || parameter.RefKind != original.Parameters[j].RefKind
                || !SignatureTypes.AreEqual(parameter.Type, original.Parameters[j].Type))
            {
                return null;
            }

            j++;
        }

        return token;
    }

    private static bool IsObsolete(IMethodSymbol method, KnownTypes types)
    {
        if (types.ObsoleteAttribute is null)
        {
            return false;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.ObsoleteAttribute))
            {
                return true;
            }
        }

        return false;
    }

    private static ISymbol? ContainingTypeOf(IOperation operation)
    {
        var model = operation.SemanticModel;
        return model?.GetEnclosingSymbol(operation.Syntax.SpanStart) is { } symbol
            ? symbol as INamedTypeSymbol ?? symbol.ContainingType
            : null;
    }
}
