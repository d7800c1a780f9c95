using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Status499;

namespace Status499.Benchmarks;

// The per-request cost of UseStatus499() in front of an endpoint that writes a small body, measured on one reused
// HttpContext that, like Kestrel's, keeps an IPersistentStateFeature across requests of a connection.
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly byte[] s_body = "Hello"u8.ToArray();

    private RequestDelegate _baseline = null!;
    private RequestDelegate _withStatus499 = null!;
    private HttpContext _clientClosedRoute = null!;
    private HttpContext _patternRoute = null!;
    private HttpContext _disabledRoute = null!;
    private HttpContext _tokenRoute = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, NoopLifetime>();
        services.AddStatus499(o => o.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.ClientClosedRequest))
            .AddStaticTokens("benchmark-token");
        var provider = services.BuildServiceProvider();

        RequestDelegate endpoint = static context =>
        {
            context.Response.StatusCode = 200;
            return context.Response.Body.WriteAsync(s_body).AsTask();
        };

        _baseline = endpoint;
        var app = new ApplicationBuilder(provider);
        app.UseStatus499();
        app.Run(endpoint);
        _withStatus499 = app.Build();

        _clientClosedRoute = CreateContext(provider, "/hello", new Endpoint(endpoint, new EndpointMetadataCollection(), "hello"));
        _patternRoute = CreateContext(provider, "/arcgis/rest/services/Demo/FeatureServer/0", endpoint: null);
        _disabledRoute = CreateContext(provider, "/stream", new Endpoint(endpoint, new EndpointMetadataCollection(new DisableStatus499Attribute()), "stream"));
        _tokenRoute = CreateContext(provider, "/secure", new Endpoint(endpoint, new EndpointMetadataCollection(new RequireTokenAttribute()), "secure"));
        _tokenRoute.Request.Headers["X-Esri-Authorization"] = "Bearer benchmark-token";
    }

    [Benchmark(Baseline = true)]
    public Task Endpoint_alone() => _baseline(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task ClientClosedRequest_route_from_metadata() => _withStatus499(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task ClientClosedRequest_route_from_pattern() => _withStatus499(NextRequest(_patternRoute));

    [Benchmark]
    public Task Disabled_route() => _withStatus499(NextRequest(_disabledRoute));

    [Benchmark]
    public Task TokenRequired_route_with_valid_header_token() => _withStatus499(NextRequest(_tokenRoute));

    // Kestrel clears per-request features between requests of a connection; do the same, or the middleware would see
    // its own feature from the previous iteration and step aside.
    private static HttpContext NextRequest(HttpContext context)
    {
        context.Features.Set<IStatus499Feature>(null);
        return context;
    }

    private static HttpContext CreateContext(IServiceProvider services, string path, Endpoint? endpoint)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Path = path, Protocol = "HTTP/1.1" });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IPersistentStateFeature>(new PersistentState());
        var context = new DefaultHttpContext(features) { RequestServices = services };
        context.SetEndpoint(endpoint);
        return context;
    }

    private sealed class PersistentState : IPersistentStateFeature
    {
        public IDictionary<object, object?> State { get; } = new Dictionary<object, object?>();
    }

    private sealed class NoopLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
