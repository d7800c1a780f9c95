using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Status499.Analyzers;

/// <summary>
/// Finds endpoint handlers (minimal-API lambdas and method groups, MVC controller actions, gRPC service methods) that do
/// not pass the request's CancellationToken on, so their work goes on after the client has left (S499001, S499002).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RequestCancellationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.PassRequestToken, Descriptors.HandlerWithoutToken);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types is null)
            {
                return;
            }

            if (types.EndpointRouteBuilder is not null)
            {
                // Per file rather than per Map call: a method-group handler's body lies outside the call, and a
                // diagnostic there is local (fixable in the editor) only to an action that analyzes the whole file.
                start.RegisterSemanticModelAction(c => AnalyzeMapCalls(c, types));
            }

            if (types.ControllerBase is not null || types.ApiControllerAttribute is not null || types.ServerCallContext is not null)
            {
                start.RegisterOperationBlockAction(c => AnalyzeMethod(c, types));
            }
        });
    }

    private static void AnalyzeMapCalls(SemanticModelAnalysisContext context, KnownTypes types)
    {
        var model = context.SemanticModel;
        var root = model.SyntaxTree.GetRoot(context.CancellationToken);

        // One method mapped to several routes is one handler: report its calls once.
        HashSet<IMethodSymbol>? analyzedMethods = null;
        foreach (var node in root.DescendantNodes())
        {
            if (node is not InvocationExpressionSyntax syntax
                || !MinimalApiHandlers.MayBeMapCall(syntax)
                || model.GetOperation(syntax, context.CancellationToken) is not IInvocationOperation invocation
                || !MinimalApiHandlers.IsMapCall(invocation, types))
            {
                continue;
            }

            foreach (var handler in MinimalApiHandlers.Find(invocation, types, context.CancellationToken))
            {
                if (handler.Symbol.MethodKind != MethodKind.AnonymousFunction)
                {
                    analyzedMethods ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                    if (!analyzedMethods.Add(handler.Symbol))
                    {
                        continue;
                    }
                }

                HandlerAnalysis.Run(handler, types, context.ReportDiagnostic);
            }
        }
    }

    // A controller action or a gRPC service method: a method whose whole body is the handler.
    private static void AnalyzeMethod(OperationBlockAnalysisContext context, KnownTypes types)
    {
        if (context.OwningSymbol is not IMethodSymbol method
            || !(ControllerActions.IsAction(method, types) || GrpcServiceMethods.IsServiceMethod(method, types)))
        {
            return;
        }

        foreach (var block in context.OperationBlocks)
        {
            // The method body; parameter default values are blocks of their own and hold no calls worth a token.
            if (block is IBlockOperation or IMethodBodyOperation)
            {
                var declaration = block.Syntax is { } syntax ? DeclarationOf(syntax) : null;
                if (declaration is not null)
                {
                    var name = declaration is MethodDeclarationSyntax m
                        ? m.Identifier.GetLocation()
                        : declaration.GetLocation();
                    HandlerAnalysis.Run(new Handler(method, declaration, block, method.Name, name), types, context.ReportDiagnostic);
                }
            }
        }
    }

    private static SyntaxNode? DeclarationOf(SyntaxNode body)
    {
        for (var node = body; node is not null; node = node.Parent)
        {
            if (node is MethodDeclarationSyntax)
            {
                return node;
            }
        }

        return null;
    }
}
