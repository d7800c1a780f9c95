using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Status499.Analyzers;

/// <summary>Walks one handler's body and reports its calls that miss the request's token (S499001), or the handler
/// itself when it awaits with no token in reach (S499002).</summary>
internal sealed class HandlerAnalysis
{
    private readonly Handler _handler;
    private readonly KnownTypes _types;
    private readonly Action<Diagnostic> _report;
    private bool _reportedCall;
    private bool _awaits;
    private bool _readsRequestAborted;

    private HandlerAnalysis(Handler handler, KnownTypes types, Action<Diagnostic> report)
    {
        _handler = handler;
        _types = types;
        _report = report;
    }

    public static void Run(Handler handler, KnownTypes types, Action<Diagnostic> report)
    {
        var analysis = new HandlerAnalysis(handler, types, report);
        var token = RequestToken.FromParameters(handler.Symbol.Parameters, types);
        analysis.Visit(handler.Body, token, reachable: true);

        if (token is null && analysis._awaits && !analysis._reportedCall && !analysis._readsRequestAborted)
        {
            report(Diagnostic.Create(
                Descriptors.HandlerWithoutToken,
                handler.NameLocation,
                ImmutableArray.Create(handler.Declaration.GetLocation()),
                properties: null,
                handler.Name));
        }
    }

    // token: the expression that yields the token here, or null when the handler has none (the fix adds one).
    // reachable: false inside a static lambda or local function without a token of its own, which cannot capture one.
    private void Visit(IOperation operation, string? token, bool reachable)
    {
        switch (operation)
        {
            case IAnonymousFunctionOperation lambda:
                (token, reachable) = Nested(lambda.Symbol, token, reachable);
                break;
            case ILocalFunctionOperation local:
                (token, reachable) = Nested(local.Symbol, token, reachable);
                break;
            case IAwaitOperation:
                _awaits = true;
                break;
            case IPropertyReferenceOperation { Property.Name: "RequestAborted" } property
                when SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, _types.HttpContext):
                _readsRequestAborted = true;
                break;
            case IInvocationOperation invocation when reachable && CancellableCall.TryFind(invocation, _types, out var call):
                Report(invocation, call, token);
                break;
        }

        foreach (var child in operation.ChildOperations)
        {
            Visit(child, token, reachable);
        }
    }

    private (string? Token, bool Reachable) Nested(IMethodSymbol symbol, string? token, bool reachable)
    {
        var own = RequestToken.OwnToken(symbol.Parameters, _types);
        if (own is not null)
        {
            return (own, true);
        }

        return symbol.IsStatic ? (null, false) : (token, reachable);
    }

    private void Report(IInvocationOperation invocation, CancellableCall call, string? token)
    {
        _reportedCall = true;
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties.Add(DiagnosticProperties.ParameterName, call.TokenParameter.Name);
        if (call.Position is { } position)
        {
            properties.Add(DiagnosticProperties.Position, position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (token is not null)
        {
            properties.Add(DiagnosticProperties.Token, token);
        }

        var method = invocation.TargetMethod;
        var callee = method.IsExtensionMethod ? method.Name : method.ContainingType.Name + "." + method.Name;
        var what = token is null ? "the request's token (add a CancellationToken parameter to the handler)" : "'" + token + "'";
        _report(Diagnostic.Create(
            Descriptors.PassRequestToken,
            invocation.Syntax.GetLocation(),
            ImmutableArray.Create(_handler.Declaration.GetLocation()),
            properties.ToImmutable(),
            callee,
            what));
    }
}
