using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Status499;

namespace Status499.Tests.Infrastructure;

// A real app for one test: Kestrel on 127.0.0.1:0 (or TestServer), an outer observer middleware placed before
// UseHttpLogging() and UseStatus499(), fake logging, a Data Protection key ring of its own (TestKeyRing), and
// collectors for the hosting metric and Status499's counters.
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, OuterObserver observer)
    {
        App = app;
        Observer = observer;
        var meterFactory = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        RequestDuration = new MetricCollector<double>(meterFactory, "Microsoft.AspNetCore.Hosting", "http.server.request.duration");
        ClientClosedRequests = new MetricCollector<long>(meterFactory, "Status499", "status499.client_closed_requests");
        TokenRejections = new MetricCollector<long>(meterFactory, "Status499", "status499.token_rejections");
        ServerEndedRequests = new MetricCollector<long>(meterFactory, "Status499", "status499.server_ended_requests");
    }

    public WebApplication App { get; }

    public OuterObserver Observer { get; }

    public MetricCollector<double> RequestDuration { get; }

    public MetricCollector<long> ClientClosedRequests { get; }

    public MetricCollector<long> TokenRejections { get; }

    public MetricCollector<long> ServerEndedRequests { get; }

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    // Every log record but the framework's own "Request starting/finished <url>" lines, which print the query string
    // and so a token=... parameter; that is ASP.NET Core's behaviour, see docs/client-closed.md, not Status499's.
    public IReadOnlyList<FakeLogRecord> LogsExceptHostingRequestLines
        => Logs.GetSnapshot().Where(r => r.Category != "Microsoft.AspNetCore.Hosting.Diagnostics").ToList();

    // Kestrel logs the end of each connection last, after the request body was drained (or not): once every connection
    // has stopped, whatever Kestrel had to say about the requests on it is in the logs.
    public int StoppedConnections => Logs.GetSnapshot().Count(r => r.Category == "Microsoft.AspNetCore.Server.Kestrel.Connections" && r.Id.Name == "ConnectionStop");

    // Every Warning, Error or Critical record, in any category, as "category: message exception".
    public IReadOnlyList<string> WarningsAndErrors
        => Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => $"{r.Category}: {r.Message} {r.Exception?.GetType().Name}: {r.Exception?.Message}").ToList();

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public static async Task<TestApp> StartAsync(
        Action<WebApplication> mapEndpoints,
        Action<Status499Options>? configure = null,
        Action<Status499Builder>? configureBuilder = null,
        bool testServer = false,
        HttpProtocols protocols = HttpProtocols.Http1,
        Action<WebApplication>? beforeStatus499 = null,
        Action<IServiceCollection>? services = null,
        Action<KestrelServerOptions>? kestrel = null,
        bool httpLogging = true)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // The sample's appsettings.json is copied next to the tests; its log filters must not hide what tests assert on.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode;
        });
        var status499 = builder.Services.AddStatus499(configure);
        configureBuilder?.Invoke(status499);
        services?.Invoke(builder.Services);
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);

        if (testServer)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols);
                kestrel?.Invoke(k);
            });
        }

        var app = builder.Build();
        var observer = new OuterObserver();
        app.Use(observer.InvokeAsync);
        if (httpLogging)
        {
            app.UseHttpLogging();
        }

        beforeStatus499?.Invoke(app);
        app.UseRouting();
        app.UseStatus499();
        mapEndpoints(app);

        var testApp = new TestApp(app, observer);
        await app.StartAsync();
        testApp.BaseAddress = testServer
            ? new Uri("http://localhost/")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return testApp;
    }

    public HttpClient CreateTestServerClient() => App.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        RequestDuration.Dispose();
        ClientClosedRequests.Dispose();
        TokenRejections.Dispose();
        ServerEndedRequests.Dispose();
        await App.StopAsync(TimeSpan.FromSeconds(5));
        await App.DisposeAsync();
    }

    public async Task<int> WaitForRecordedDurationStatusAsync()
        => Convert.ToInt32((await WaitForRecordedDurationTagsAsync())["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture);

    public async Task<IReadOnlyDictionary<string, object?>> WaitForRecordedDurationTagsAsync()
    {
        await RequestDuration.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        return RequestDuration.GetMeasurementSnapshot()[0].Tags;
    }
}
