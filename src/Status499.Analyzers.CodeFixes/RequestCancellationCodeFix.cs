using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Status499.Analyzers;

/// <summary>
/// Passes the request's token to the flagged call (S499001), first adding a <c>CancellationToken cancellationToken</c>
/// parameter to the handler when it has no token (S499001, S499002). Minimal APIs and MVC bind that parameter to
/// HttpContext.RequestAborted, so the added parameter changes no route.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RequestCancellationCodeFix))]
[Shared]
public sealed class RequestCancellationCodeFix : CodeFixProvider
{
    private const string PassTitle = "Pass the request's CancellationToken";
    private const string AddTitle = "Add a CancellationToken parameter";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.PassRequestToken, DiagnosticIds.HandlerWithoutToken);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create(async (context, document, diagnostics) =>
            await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var title = diagnostic.Id == DiagnosticIds.PassRequestToken ? PassTitle : AddTitle;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title,
                    token => FixAsync(context.Document, ImmutableArray.Create(diagnostic), token),
                    equivalenceKey: diagnostic.Id),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    // Every edit of a document in one ReplaceNodes, so that a call and the handler around it (which gains a parameter)
    // can both change: ReplaceNodes hands the handler over with its calls already rewritten.
    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var handlersToExtend = new HashSet<SyntaxNode>();
        var callsToFix = new Dictionary<SyntaxNode, List<Diagnostic>>();
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.AdditionalLocations.Count == 0)
            {
                continue;
            }

            var handler = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true);
            var needsParameter = !diagnostic.Properties.ContainsKey(DiagnosticProperties.Token);
            if (needsParameter)
            {
                if (ParameterListOf(handler) is null)
                {
                    continue;
                }

                handlersToExtend.Add(handler);
            }

            if (diagnostic.Id == DiagnosticIds.PassRequestToken
                && root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                    .FirstAncestorOrSelf<InvocationExpressionSyntax>() is { } invocation)
            {
                if (!callsToFix.TryGetValue(invocation.ArgumentList, out var list))
                {
                    callsToFix[invocation.ArgumentList] = list = new List<Diagnostic>();
                }

                list.Add(diagnostic);
            }
        }

        var nodes = handlersToExtend.Concat(callsToFix.Keys);
        var newRoot = root.ReplaceNodes(nodes, (original, rewritten) =>
        {
            if (callsToFix.TryGetValue(original, out var fixes) && rewritten is ArgumentListSyntax arguments)
            {
                rewritten = AddArgument(arguments, fixes[0]);
            }

            return handlersToExtend.Contains(original) ? AddParameter(rewritten) : rewritten;
        });

        return document.WithSyntaxRoot(newRoot);
    }

    private static ArgumentListSyntax AddArgument(ArgumentListSyntax list, Diagnostic diagnostic)
    {
        var properties = diagnostic.Properties;
        var token = properties.TryGetValue(DiagnosticProperties.Token, out var t) && t is not null
            ? t
            : DiagnosticProperties.NewParameterName;
        var argument = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token));

        var arguments = list.Arguments.ToList();
        var separators = list.Arguments.GetSeparators().ToList();
        if (properties.TryGetValue(DiagnosticProperties.Position, out var p)
            && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            && position <= arguments.Count)
        {
            arguments.Insert(position, argument);
            if (arguments.Count > 1)
            {
                separators.Insert(position == arguments.Count - 1 ? separators.Count : position, Comma());
            }
        }
        else
        {
            var name = properties.TryGetValue(DiagnosticProperties.ParameterName, out var n) && n is not null ? n : "cancellationToken";
            arguments.Add(argument.WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(name))));
            if (arguments.Count > 1)
            {
                separators.Add(Comma());
            }
        }

        return list.WithArguments(SyntaxFactory.SeparatedList(arguments, separators));
    }

    private static SyntaxNode AddParameter(SyntaxNode handler)
    {
        if (ParameterListOf(handler) is not { } list)
        {
            return handler;
        }

        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(DiagnosticProperties.NewParameterName))
            .WithType(SyntaxFactory.ParseTypeName("System.Threading.CancellationToken ")
                .WithAdditionalAnnotations(Simplifier.Annotation));

        // Before optional and params parameters, which must come last.
        var parameters = list.Parameters.ToList();
        var separators = list.Parameters.GetSeparators().ToList();
        var index = parameters.FindIndex(x => x.Default is not null || x.Modifiers.Any(SyntaxKind.ParamsKeyword));
        if (index < 0)
        {
            index = parameters.Count;
        }

        parameters.Insert(index, parameter);
        if (parameters.Count > 1)
        {
            separators.Insert(index == parameters.Count - 1 ? separators.Count : index, Comma());
        }

        var newList = list.WithParameters(SyntaxFactory.SeparatedList(parameters, separators));
        return handler switch
        {
            ParenthesizedLambdaExpressionSyntax lambda => lambda.WithParameterList(newList),
            AnonymousMethodExpressionSyntax anonymous => anonymous.WithParameterList(newList),
            MethodDeclarationSyntax method => method.WithParameterList(newList),
            LocalFunctionStatementSyntax local => local.WithParameterList(newList),
            _ => handler,
        };
    }

    // Lambdas with implicitly typed parameters cannot take a typed one beside them; they never need to (see RequestToken).
    private static ParameterListSyntax? ParameterListOf(SyntaxNode handler) => handler switch
    {
        ParenthesizedLambdaExpressionSyntax lambda when lambda.ParameterList.Parameters.All(x => x.Type is not null) => lambda.ParameterList,
        AnonymousMethodExpressionSyntax { ParameterList: { } list } => list,
        MethodDeclarationSyntax method => method.ParameterList,
        LocalFunctionStatementSyntax local => local.ParameterList,
        _ => null,
    };

    private static SyntaxToken Comma() => SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
}
