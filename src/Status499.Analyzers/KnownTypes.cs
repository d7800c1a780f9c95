using Microsoft.CodeAnalysis;

namespace Status499.Analyzers;

/// <summary>The framework types the rules look for, resolved once per compilation.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol cancellationToken)
    {
        Compilation = compilation;
        CancellationToken = cancellationToken;
        HttpContext = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.HttpContext");
        HttpRequest = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.HttpRequest");
        RequestDelegate = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.RequestDelegate");
        Delegate = compilation.GetTypeByMetadataName("System.Delegate");
        EndpointRouteBuilder = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Routing.IEndpointRouteBuilder");
        ControllerBase = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.ControllerBase");
        ApiControllerAttribute = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.ApiControllerAttribute");
        NonActionAttribute = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.NonActionAttribute");
        NonControllerAttribute = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.NonControllerAttribute");
        ObsoleteAttribute = compilation.GetTypeByMetadataName("System.ObsoleteAttribute");
        ServerCallContext = compilation.GetTypeByMetadataName("Grpc.Core.ServerCallContext");
        BindServiceMethodAttribute = compilation.GetTypeByMetadataName("Grpc.Core.BindServiceMethodAttribute");
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol CancellationToken { get; }

    public INamedTypeSymbol? HttpContext { get; }

    public INamedTypeSymbol? HttpRequest { get; }

    public INamedTypeSymbol? RequestDelegate { get; }

    public INamedTypeSymbol? Delegate { get; }

    public INamedTypeSymbol? EndpointRouteBuilder { get; }

    public INamedTypeSymbol? ControllerBase { get; }

    public INamedTypeSymbol? ApiControllerAttribute { get; }

    public INamedTypeSymbol? NonActionAttribute { get; }

    public INamedTypeSymbol? NonControllerAttribute { get; }

    public INamedTypeSymbol? ObsoleteAttribute { get; }

    /// <summary>Grpc.Core.ServerCallContext (package Grpc.Core.Api), the last parameter of every gRPC service method.</summary>
    public INamedTypeSymbol? ServerCallContext { get; }

    public INamedTypeSymbol? BindServiceMethodAttribute { get; }

    /// <summary>Null when the compilation has no CancellationToken (nothing to pass), or neither ASP.NET Core nor gRPC
    /// (no handlers).</summary>
    public static KnownTypes? Create(Compilation compilation)
    {
        var token = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        if (token is null)
        {
            return null;
        }

        var types = new KnownTypes(compilation, token);
        return types.EndpointRouteBuilder is null && types.ControllerBase is null && types.ServerCallContext is null ? null : types;
    }

    public bool IsToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);
}
