using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Status499.Analyzers;

/// <summary>
/// The delegates given to the IEndpointRouteBuilder extension methods that map a route to a handler (MapGet and its
/// siblings in Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions, and any other Map* extension with the same
/// shape): lambdas, and method groups declared in the same file.
/// </summary>
internal static class MinimalApiHandlers
{
    private static readonly HashSet<string> MapMethodNames = new(System.StringComparer.Ordinal)
    {
        "Map", "MapGet", "MapPost", "MapPut", "MapDelete", "MapPatch", "MapMethods", "MapFallback",
    };

    /// <summary>A cheap look at the syntax before asking for the operation.</summary>
    public static bool MayBeMapCall(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => MapMethodNames.Contains(member.Name.Identifier.ValueText),
        MemberBindingExpressionSyntax binding => MapMethodNames.Contains(binding.Name.Identifier.ValueText),
        IdentifierNameSyntax name => MapMethodNames.Contains(name.Identifier.ValueText),
        _ => false,
    };

    public static bool IsMapCall(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        return MapMethodNames.Contains(method.Name)
            && method.IsExtensionMethod
            && method.Parameters.Length > 1
            && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, types.EndpointRouteBuilder);
    }

    public static IEnumerable<Handler> Find(IInvocationOperation mapCall, KnownTypes types, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var argument in mapCall.Arguments)
        {
            var type = argument.Parameter?.Type;
            if (!SymbolEqualityComparer.Default.Equals(type, types.Delegate)
                && !SymbolEqualityComparer.Default.Equals(type, types.RequestDelegate))
            {
                continue;
            }

            var value = Unwrap(argument.Value);
            if (value is IAnonymousFunctionOperation lambda)
            {
                yield return new Handler(
                    lambda.Symbol,
                    lambda.Syntax,
                    lambda.Body,
                    NameOf(mapCall),
                    LambdaNameLocation(lambda.Syntax));
            }
            else if (value is IMethodReferenceOperation reference
                && FromSameFile(reference.Method, mapCall, cancellationToken) is { } handler)
            {
                yield return handler;
            }
        }
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IDelegateCreationOperation creation:
                    operation = creation.Target;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    // A method in another file would need that file's semantic model, which an analyzer must not ask the compilation
    // for (RS1030), and a diagnostic there would not be local to the analyzed file; handlers mapped by method group are
    // nearly always declared next to the Map call.
    private static Handler? FromSameFile(IMethodSymbol method, IOperation mapCall, System.Threading.CancellationToken cancellationToken)
    {
        var model = mapCall.SemanticModel;
        if (model is null || method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var reference = method.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != mapCall.Syntax.SyntaxTree)
        {
            return null;
        }

        var declaration = reference.GetSyntax(cancellationToken);
        IOperation? body = declaration switch
        {
            MethodDeclarationSyntax => model.GetOperation(declaration, cancellationToken),
            LocalFunctionStatementSyntax => (model.GetOperation(declaration, cancellationToken) as ILocalFunctionOperation)?.Body,
            _ => null,
        };

        var nameLocation = declaration switch
        {
            MethodDeclarationSyntax m => m.Identifier.GetLocation(),
            LocalFunctionStatementSyntax l => l.Identifier.GetLocation(),
            _ => declaration.GetLocation(),
        };

        return body is null ? null : new Handler(method.OriginalDefinition, declaration, body, method.Name, nameLocation);
    }

    private static string NameOf(IInvocationOperation mapCall)
    {
        foreach (var argument in mapCall.Arguments)
        {
            if (argument.Parameter?.Name == "pattern" && argument.Value.ConstantValue is { HasValue: true, Value: string pattern })
            {
                return mapCall.TargetMethod.Name + " " + pattern;
            }
        }

        return mapCall.TargetMethod.Name;
    }

    private static Location LambdaNameLocation(SyntaxNode lambda) => lambda switch
    {
        ParenthesizedLambdaExpressionSyntax p => p.ParameterList.GetLocation(),
        SimpleLambdaExpressionSyntax s => s.Parameter.GetLocation(),
        AnonymousMethodExpressionSyntax a => a.DelegateKeyword.GetLocation(),
        _ => lambda.GetLocation(),
    };
}
