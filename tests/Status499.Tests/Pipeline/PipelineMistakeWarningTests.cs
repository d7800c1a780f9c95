using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Status499.Tests.Pipeline;

// Two pipeline mistakes that break nothing visible: they are said at startup or at the first request, once.
public sealed class PipelineMistakeWarningTests
{
    private static WebApplication Build(Action<WebApplication> pipeline)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();

        // The sample's appsettings.json is copied next to the tests; its log filters would hide HttpLogging.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();
        builder.Services.AddHttpLogging(_ => { });
        builder.Services.AddStatus499();
        var app = builder.Build();
        pipeline(app);
        app.MapGet("/report", () => "report");
        return app;
    }

    private static List<FakeLogRecord> Named(WebApplication app, string name)
        => app.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name == name).ToList();

    [Fact]
    public async Task AddStatus499_without_UseStatus499_warns_at_startup()
    {
        await using var app = Build(_ => { });

        await app.StartAsync();

        var warning = Named(app, "MiddlewareNotAdded").Should().ContainSingle().Subject;
        warning.Id.Id.Should().Be(72);
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("app.UseStatus499()");
    }

    [Fact]
    public async Task UseStatus499_called_does_not_warn_at_startup()
    {
        await using var app = Build(a => a.UseStatus499());

        await app.StartAsync();

        Named(app, "MiddlewareNotAdded").Should().BeEmpty();
    }

    [Fact]
    public async Task UseHttpLogging_after_UseStatus499_is_said_once()
    {
        await using var app = Build(a =>
        {
            a.UseStatus499();
            a.UseHttpLogging();
        });
        await app.StartAsync();
        using var http = app.GetTestClient();

        (await http.GetStringAsync("/report")).Should().Be("report");
        (await http.GetStringAsync("/report")).Should().Be("report");

        var warning = Named(app, "HttpLoggingAfterStatus499").Should().ContainSingle().Subject;
        warning.Id.Id.Should().Be(73);
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("Call app.UseStatus499() after app.UseHttpLogging()");
    }

    [Fact]
    public async Task UseHttpLogging_before_UseStatus499_is_not_a_mistake()
    {
        await using var app = Build(a =>
        {
            a.UseHttpLogging();
            a.UseStatus499();
        });
        await app.StartAsync();
        using var http = app.GetTestClient();

        (await http.GetStringAsync("/report")).Should().Be("report");

        // HttpLogging ran (it logged the request), and said nothing about the order.
        app.Services.GetFakeLogCollector().GetSnapshot().Should().Contain(r => r.Category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware");
        Named(app, "HttpLoggingAfterStatus499").Should().BeEmpty();
    }
}
