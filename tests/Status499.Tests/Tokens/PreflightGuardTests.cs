using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// UseEndpoints() is the subject of two tests: the pipeline order it makes explicit is what they check.
#pragma warning disable ASP0014

// A request shaped like a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) is something anyone
// can send: the guard lets through only the answer UseCors() gives it, 204 with no body, and refuses any other answer
// on a token route that the token check did not see. The one order that leaked such answers, UseStatus499() after
// UseEndpoints(), refuses to start.
public sealed class PreflightGuardTests
{
    private const string Reached = "REACHED";
    private const string GoodToken = "good";
    private const string Origin = "https://example.org";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UseStatus499_after_UseEndpoints_refuses_to_start(bool declaredByEndpoint)
    {
        var builder = CreateBuilder(o =>
        {
            if (!declaredByEndpoint)
            {
                o.MapRoute("/api/{**rest}", Status499Meaning.TokenRequired);
            }
        });
        await using var app = builder.Build();
        app.UseRouting();
        app.UseEndpoints(e =>
        {
            var report = e.Map("/api/report", () => Reached);
            if (declaredByEndpoint)
            {
                report.RequireToken();
            }
        });
        app.UseStatus499();

        await app.Awaiting(a => a.StartAsync()).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*after app.UseEndpoints()*Call app.UseStatus499() after app.UseRouting() and before app.UseEndpoints()*");
    }

    // Startup-style hosting: UseRouting() creates its own route builder, which UseEndpoints() fills.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Order_of_UseEndpoints_is_checked_with_a_Startup_style_pipeline_too(bool status499AfterEndpoints)
    {
        using var host = new HostBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureWebHost(web => web
                .UseKestrel(k => k.Listen(IPAddress.Loopback, 0))
                .ConfigureServices(s => s.AddRouting().AddStatus499().AddStaticTokens(GoodToken))
                .Configure(app =>
                {
                    app.UseRouting();
                    if (!status499AfterEndpoints)
                    {
                        app.UseStatus499();
                    }

                    app.UseEndpoints(e => e.Map("/api/report", () => Reached).RequireToken());
                    if (status499AfterEndpoints)
                    {
                        app.UseStatus499();
                    }
                }))
            .Build();

        var start = host.Awaiting(h => h.StartAsync());

        if (status499AfterEndpoints)
        {
            await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*after app.UseEndpoints()*");
        }
        else
        {
            await start.Should().NotThrowAsync();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task UseStatus499_between_UseRouting_and_UseEndpoints_starts_and_checks_preflights_too()
    {
        await using var app = CreateBuilder().Build();
        app.UseRouting();
        app.UseStatus499();
        app.UseEndpoints(e => e.Map("/api/report", () => Reached).RequireToken());
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        using var preflightShaped = await http.SendAsync(Preflight("/api/report"));
        var withToken = await http.GetStringAsync("/api/report?token=" + GoodToken);

        ((int)preflightShaped.StatusCode).Should().Be(499);
        (await preflightShaped.Content.ReadAsStringAsync()).Should().NotContain(Reached);
        withToken.Should().Be(Reached);
    }

    [Fact]
    public async Task Short_circuited_token_route_answering_a_preflight_is_refused()
    {
        await using var app = CreateBuilder().Build();
        app.UseRouting();
        app.UseStatus499();
        app.Map("/sc/any", () => Reached).RequireToken().ShortCircuit();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        using var response = await http.SendAsync(Preflight("/sc/any"));

        await ShouldBeRefusedAsync(app, response, "/sc/any");
    }

    [Theory]
    [InlineData("/api/report")]    // endpoint metadata; the middleware runs after UseRouting()
    [InlineData("/pattern/report")] // a TokenRequired pattern
    public async Task Middleware_answering_every_method_before_UseStatus499_is_refused_for_a_preflight(string path)
    {
        await using var app = CreateBuilder(o => o.MapRoute("/pattern/{**rest}", Status499Meaning.TokenRequired)).Build();
        app.UseRouting();
        app.Use((context, next) => context.Request.Path == path ? context.Response.WriteAsync(Reached) : next(context));
        app.UseStatus499();
        app.Map("/api/report", () => Reached).RequireToken(); // every method, so routing picks it for OPTIONS too
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        using var response = await http.SendAsync(Preflight(path));

        await ShouldBeRefusedAsync(app, response, path);
    }

    // The preflight must resolve to the token route for the exemption to matter: through the endpoint's CORS metadata
    // (routing then picks the GET endpoint for the preflight), or through a TokenRequired pattern.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Real_UseCors_preflight_to_a_token_route_gets_through_with_204(bool declaredByEndpoint)
    {
        var builder = CreateBuilder(o =>
        {
            if (!declaredByEndpoint)
            {
                o.MapRoute("/api/{**rest}", Status499Meaning.TokenRequired);
            }
        });
        builder.Services.AddCors(o => o.AddPolicy("sites", p => p.WithOrigins(Origin).AllowAnyMethod()));
        await using var app = builder.Build();
        app.UseRouting();
        app.UseCors("sites");
        app.UseStatus499();
        var report = app.MapGet("/api/report", () => Reached);
        if (declaredByEndpoint)
        {
            report.RequireToken().RequireCors("sites");
        }

        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        using var preflight = await http.SendAsync(Preflight("/api/report"));
        using var get = await http.GetAsync("/api/report");

        preflight.StatusCode.Should().Be(HttpStatusCode.NoContent);
        preflight.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(Origin);
        preflight.Headers.GetValues("Access-Control-Allow-Methods").Should().Equal("GET");
        (await preflight.Content.ReadAsStringAsync()).Should().BeEmpty();
        app.Services.GetFakeLogCollector().GetSnapshot().Should().NotContain(r => r.Id.Name == "UnguardedTokenRouteResponse");
        ((int)get.StatusCode).Should().Be(499, "the preflight opened nothing");
    }

    private static async Task ShouldBeRefusedAsync(WebApplication app, HttpResponseMessage response, string path)
    {
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().BeEmpty();
        var logs = app.Services.GetFakeLogCollector();
        (await Signal.EventuallyAsync(() => logs.GetSnapshot().Any(r => r.Id.Name == "UnguardedTokenRouteResponse" && r.Level == LogLevel.Error)))
            .Should().BeTrue();
        logs.GetSnapshot().Single(r => r.Id.Name == "UnguardedTokenRouteResponse").Message.Should().Contain("OPTIONS").And.Contain(path);
    }

    private static HttpRequestMessage Preflight(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        return request;
    }

    private static WebApplicationBuilder CreateBuilder(Action<Status499Options>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddStatus499(configure).AddStaticTokens(GoodToken);
        return builder;
    }

    private static string AddressOf(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
