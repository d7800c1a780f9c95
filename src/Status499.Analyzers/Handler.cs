using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>An endpoint handler found in source: what it is, where it is declared, and the operations of its body.</summary>
internal readonly struct Handler
{
    public Handler(IMethodSymbol symbol, SyntaxNode declaration, IOperation body, string name, Location nameLocation)
    {
        Symbol = symbol;
        Declaration = declaration;
        Body = body;
        Name = name;
        NameLocation = nameLocation;
    }

    /// <summary>The lambda's or method's symbol, whose parameters may carry the token.</summary>
    public IMethodSymbol Symbol { get; }

    /// <summary>The lambda, method or local function the code fix adds a parameter to.</summary>
    public SyntaxNode Declaration { get; }

    public IOperation Body { get; }

    /// <summary>How S499002 names the handler: the method's name, or the Map call and route of a lambda.</summary>
    public string Name { get; }

    public Location NameLocation { get; }
}
