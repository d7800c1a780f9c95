using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Status499;

namespace Status499.Benchmarks;

// The per-request cost of UseStatus499() in front of an endpoint that writes a small body, measured on one reused
// HttpContext whose OnCompleted callbacks run between requests, as Kestrel runs them at the end of each request.
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly byte[] s_body = "Hello"u8.ToArray();

    private RequestDelegate _baseline = null!;
    private RequestDelegate _emptyMiddleware = null!;
    private RequestDelegate _withStatus499 = null!;
    private RequestDelegate _asyncBaseline = null!;
    private RequestDelegate _asyncEmptyMiddleware = null!;
    private RequestDelegate _asyncWithStatus499 = null!;
    private RequestDelegate _abortBaseline = null!;
    private RequestDelegate _abortWithStatus499 = null!;
    private RequestDelegate _delegateValidatorWithStatus499 = null!;
    private RequestDelegate _withStatus499AndSplitHop = null!;
    private HttpContext _asyncRoute = null!;
    private HttpContext _abortedRoute = null!;
    private HttpContext _delegateTokenRoute = null!;
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

        // A handler that really awaits: the middleware's own continuation then needs a state machine box.
        RequestDelegate asyncEndpoint = static async context =>
        {
            await Task.Yield();
            context.Response.StatusCode = 200;
            await context.Response.Body.WriteAsync(s_body);
        };

        // A handler that honours RequestAborted after the client left.
        RequestDelegate abortedEndpoint = static context => Task.FromCanceled(context.RequestAborted);

        _baseline = endpoint;
        _withStatus499 = Build(provider, withStatus499: true, endpoint);
        _emptyMiddleware = Build(provider, withStatus499: false, endpoint);

        // What splitting the middleware in two (client-closed recording, then the token check) would add on every
        // request: one more hop that looks the shared feature up and passes the request on.
        var split = new ApplicationBuilder(provider);
        split.UseStatus499();
        split.Use(static (HttpContext context, RequestDelegate next) =>
            context.Features.Get<IStatus499Feature>() is { Meaning: Status499Meaning.TokenRequired } ? Task.CompletedTask : next(context));
        split.Run(endpoint);
        _withStatus499AndSplitHop = split.Build();
        _asyncBaseline = asyncEndpoint;
        _asyncWithStatus499 = Build(provider, withStatus499: true, asyncEndpoint);
        _asyncEmptyMiddleware = Build(provider, withStatus499: false, asyncEndpoint);
        _abortBaseline = abortedEndpoint;
        _abortWithStatus499 = Build(provider, withStatus499: true, abortedEndpoint);

        var delegateServices = new ServiceCollection()
            .AddLogging()
            .AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, NoopLifetime>();
        delegateServices.AddStatus499()
            .AddTokenValidator(static ctx => new(ctx.Token == "good" ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid()));
        var delegateProvider = delegateServices.BuildServiceProvider();
        _delegateValidatorWithStatus499 = Build(delegateProvider, withStatus499: true, endpoint);
        _delegateTokenRoute = CreateContext(delegateProvider, "/secure", new Endpoint(endpoint, new EndpointMetadataCollection(new RequireTokenAttribute()), "secure"));
        _delegateTokenRoute.Request.Headers["X-Esri-Authorization"] = "Bearer good";
        _asyncRoute = CreateContext(provider, "/async", new Endpoint(asyncEndpoint, new EndpointMetadataCollection(), "async"));
        _abortedRoute = CreateContext(provider, "/aborted", new Endpoint(abortedEndpoint, new EndpointMetadataCollection(), "aborted"));
        var aborted = new CancellationTokenSource();
        aborted.Cancel();
        _abortedRoute.Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = aborted.Token });

        _clientClosedRoute = CreateContext(provider, "/hello", new Endpoint(endpoint, new EndpointMetadataCollection(), "hello"));
        _patternRoute = CreateContext(provider, "/arcgis/rest/services/Demo/FeatureServer/0", endpoint: null);
        _disabledRoute = CreateContext(provider, "/stream", new Endpoint(endpoint, new EndpointMetadataCollection(new DisableStatus499Attribute()), "stream"));
        _tokenRoute = CreateContext(provider, "/secure", new Endpoint(endpoint, new EndpointMetadataCollection(new RequireTokenAttribute()), "secure"));
        _tokenRoute.Request.Headers["X-Esri-Authorization"] = "Bearer benchmark-token";
    }

    [Benchmark(Baseline = true)]
    public Task Endpoint_alone() => _baseline(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task Empty_middleware() => _emptyMiddleware(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task ClientClosedRequest_route_from_metadata() => _withStatus499(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task ClientClosedRequest_route_plus_split_hop() => _withStatus499AndSplitHop(NextRequest(_clientClosedRoute));

    [Benchmark]
    public Task ClientClosedRequest_route_from_pattern() => _withStatus499(NextRequest(_patternRoute));

    [Benchmark]
    public Task Disabled_route() => _withStatus499(NextRequest(_disabledRoute));

    [Benchmark]
    public Task TokenRequired_route_with_valid_header_token() => _withStatus499(NextRequest(_tokenRoute));

    [Benchmark]
    public Task TokenRequired_route_allocation_free_validator() => _delegateValidatorWithStatus499(NextRequest(_delegateTokenRoute));

    [Benchmark]
    public Task Async_endpoint_alone() => _asyncBaseline(NextRequest(_asyncRoute));

    [Benchmark]
    public Task Async_endpoint_empty_middleware() => _asyncEmptyMiddleware(NextRequest(_asyncRoute));

    [Benchmark]
    public Task Async_endpoint_ClientClosedRequest_route() => _asyncWithStatus499(NextRequest(_asyncRoute));

    // The client left and the handler threw OperationCanceledException. Alone, the exception reaches the server, which
    // catches it (here the benchmark does); with Status499 it is caught, recorded as 499 and not rethrown.
    [Benchmark]
    public async Task Aborted_request_alone()
    {
        try
        {
            await _abortBaseline(NextRequest(_abortedRoute));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Benchmark]
    public async Task Aborted_request_ClientClosedRequest_route()
    {
        try
        {
            await _abortWithStatus499(NextRequest(_abortedRoute));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static RequestDelegate Build(IServiceProvider provider, bool withStatus499, RequestDelegate endpoint)
    {
        var app = new ApplicationBuilder(provider);
        if (withStatus499)
        {
            app.UseStatus499();
        }
        else
        {
            app.Use(static async (HttpContext context, RequestDelegate next) => await next(context));
        }

        app.Run(endpoint);
        return app.Build();
    }

    // Kestrel runs the previous request's OnCompleted callbacks (Status499 returns its state to its pool there) and
    // clears per-request features between requests of a connection; do the same, or the middleware would see its own
    // feature from the previous iteration and step aside.
    private static HttpContext NextRequest(HttpContext context)
    {
        ((CompletingResponseFeature)context.Features.Get<IHttpResponseFeature>()!).FireOnCompleted();
        context.Features.Set<IStatus499Feature>(null);
        return context;
    }

    private static HttpContext CreateContext(IServiceProvider services, string path, Endpoint? endpoint)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Path = path, Protocol = "HTTP/1.1" });
        features.Set<IHttpResponseFeature>(new CompletingResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        var context = new DefaultHttpContext(features) { RequestServices = services };
        context.SetEndpoint(endpoint);
        return context;
    }

    // Keeps OnCompleted callbacks in a reused stack, as Kestrel's HttpProtocol does.
    private sealed class CompletingResponseFeature : HttpResponseFeature
    {
        private readonly Stack<KeyValuePair<Func<object, Task>, object>> _onCompleted = new();

        public override void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Push(new(callback, state));

        public void FireOnCompleted()
        {
            while (_onCompleted.TryPop(out var entry))
            {
                entry.Key(entry.Value).GetAwaiter().GetResult();
            }
        }
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
