using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Pipeline;

// A completed request allocates nothing in UseStatus499() (docs/benchmarks.md measures it on real Kestrel): with the
// request lifetime wrapper installed and removed, the early-end checks and the long-response gate on every request.
public sealed class CompletedRequestAllocationTests
{
    private static readonly byte[] s_body = "Hello"u8.ToArray();

    [Fact]
    public void Completed_request_on_a_client_closed_route_allocates_nothing_in_the_middleware()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostApplicationLifetime, NoopLifetime>();
        services.AddStatus499();
        var provider = services.BuildServiceProvider();
        RequestDelegate endpoint = static context => context.Response.Body.WriteAsync(s_body).AsTask();
        var app = new ApplicationBuilder(provider);
        app.UseStatus499();
        app.Run(endpoint);
        var pipeline = app.Build();
        var context = CreateContext(provider, new Endpoint(endpoint, new EndpointMetadataCollection(), "hello"));
        var lifetime = context.Features.Get<IHttpRequestLifetimeFeature>();

        var bytes = Allocations.Of(() =>
        {
            pipeline(context).GetAwaiter().GetResult();
            ((CompletingResponseFeature)context.Features.Get<IHttpResponseFeature>()!).FireOnCompleted();
            context.Features.Set<IStatus499Feature>(null);
        });

        bytes.Should().Be(0);
        context.Features.Get<IHttpRequestLifetimeFeature>().Should().BeSameAs(lifetime, "the server's feature is put back");
    }

    private static DefaultHttpContext CreateContext(IServiceProvider services, Endpoint endpoint)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Path = "/hello", Protocol = "HTTP/1.1" });
        features.Set<IHttpResponseFeature>(new CompletingResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
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

    private sealed class NoopLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
