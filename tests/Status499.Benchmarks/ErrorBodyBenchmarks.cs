using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Status499.Benchmarks;

// Writing the ArcGIS "Token Required" error (code 499) and "Invalid Token" (498): Status499's pre-encoded UTF-8 bodies
// against what an app would write by hand, Results.Json(new { error = ... }, statusCode: 499).
[MemoryDiagnoser]
public class ErrorBodyBenchmarks
{
    private ArcGisErrorWriter _writer = null!;
    private HttpContext _context = null!;
    private HttpContext _pjsonContext = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddLogging().AddOptions();
        services.ConfigureHttpJsonOptions(static _ => { });
        var provider = services.BuildServiceProvider();
        _writer = TokenRequestHandler.CreateErrorWriter(new TokenRequiredOptions());
        _context = CreateContext(provider, queryString: "?f=json");
        _pjsonContext = CreateContext(provider, queryString: "?f=pjson");
    }

    [Benchmark(Baseline = true)]
    public Task Results_Json_499()
        => Results.Json(new { error = new { code = 499, message = "Token Required", details = Array.Empty<string>() } }, statusCode: 499)
            .ExecuteAsync(Next(_context));

    [Benchmark]
    public Task Status499_TokenRequired_f_json() => _writer.WriteAsync(Next(_context), ArcGisError.TokenRequired);

    [Benchmark]
    public Task Status499_InvalidToken_f_json() => _writer.WriteAsync(Next(_context), ArcGisError.InvalidToken);

    [Benchmark]
    public Task Status499_TokenRequired_f_pjson() => _writer.WriteAsync(Next(_pjsonContext), ArcGisError.TokenRequired);

    private static HttpContext Next(HttpContext context)
    {
        context.Response.Headers.Clear();
        context.Response.StatusCode = 200;
        return context;
    }

    private static HttpContext CreateContext(IServiceProvider services, string queryString)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Path = "/secure", QueryString = queryString, Protocol = "HTTP/1.1" });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return new DefaultHttpContext(features) { RequestServices = services };
    }
}
