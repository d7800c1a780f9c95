using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Status499.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Status499.Tests.Tokens;

// Every way to declare a token route × the pipelines a user can build, on real Kestrel: no declared route lets its
// content out without a valid token. Orders that can be seen at startup refuse to start; the rest are refused per
// request by the outermost guard (500, no content, an error log naming the fix).
public sealed class FailClosedPipelineTests : IAsyncLifetime
{
    private const string Reached = "REACHED";
    private const string GoodToken = "good";

    // Each declaration form, and the path that reaches it.
    public static readonly TheoryData<string> DeclaredRoutes = new()
    {
        "/protected/secret.txt",      // a static file under the MapRoute pattern
        "/protected/nothing-mapped",  // the fallback, under the pattern
        "/protected/proxy/item",      // a YARP MapReverseProxy() route under the pattern
        "/yarp/item",                 // MapReverseProxy().RequireToken()
        "/pattern-endpoint",          // an endpoint under a second MapRoute pattern
        "/convention",                // .RequireToken()
        "/attribute",                 // [RequireToken] on a minimal-API lambda
        "/metadata",                  // .WithMetadata(new RequireTokenAttribute())
        "/group/item",                // MapGroup(...).RequireToken()
        "/mvc/action",                // [RequireToken] on an MVC action
        "/mvc-controller/item",       // [RequireToken] on an MVC controller
    };

    private readonly string _webRoot = Directory.CreateTempSubdirectory("status499-webroot").FullName;
    private WebApplication? _backend;
    private string _backendAddress = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_webRoot, "protected"));
        await File.WriteAllTextAsync(Path.Combine(_webRoot, "protected", "secret.txt"), Reached);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _backend = builder.Build();
        _backend.Run(context => context.Response.WriteAsync(Reached));
        await _backend.StartAsync();
        _backendAddress = AddressOf(_backend);
    }

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        Directory.Delete(_webRoot, recursive: true);
    }

    [Theory]
    [MemberData(nameof(DeclaredRoutes))]
    public async Task Correct_order_answers_499_without_a_token_and_the_content_with_one(string path)
    {
        await using var app = await StartAsync(a =>
        {
            a.UseRouting();
            a.UseStatus499();
            a.UseStaticFiles();
        });
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        var without = await http.GetAsync(path + "?f=json");
        (await without.Content.ReadAsStringAsync()).Should().NotContain(Reached).And.Contain("\"code\":499");

        using var withToken = new HttpRequestMessage(HttpMethod.Get, path);
        withToken.Headers.Add("X-Esri-Authorization", "Bearer " + GoodToken);
        var with = await http.SendAsync(withToken);
        with.StatusCode.Should().Be(HttpStatusCode.OK, "the route is reachable, so the refusals above are the token layer's doing");
        (await with.Content.ReadAsStringAsync()).Should().Contain(Reached);
    }

    [Theory]
    [MemberData(nameof(DeclaredRoutes))]
    public async Task Minimal_hosting_without_UseRouting_is_protected(string path)
    {
        await using var app = await StartAsync(a =>
        {
            a.UseStatus499();
            a.UseStaticFiles();
        });
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        (await (await http.GetAsync(path + "?f=json")).Content.ReadAsStringAsync()).Should().NotContain(Reached).And.Contain("\"code\":499");
    }

    [Fact]
    public async Task UseStatus499_before_UseRouting_refuses_to_start()
    {
        var start = () => StartAsync(a =>
        {
            a.UseStatus499();
            a.UseRouting();
        });

        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*Call app.UseStatus499() after app.UseRouting()*");
    }

    [Fact]
    public async Task Forgotten_UseStatus499_refuses_to_start_naming_the_fix()
    {
        var start = () => StartAsync(a => a.UseRouting());

        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*requires a token, but app.UseStatus499() was never called*");
    }

    [Fact]
    public async Task Forgotten_UseStatus499_is_detected_from_endpoint_metadata_alone()
    {
        // No MapRoute pattern: only an attribute on a lambda declares the token route.
        var builder = CreateBuilder(patterns: false);
        await using var app = builder.Build();
        app.MapGet("/attribute", [RequireToken] () => Reached);

        await app.Awaiting(a => a.StartAsync()).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("The endpoint*/attribute*requires a token, but app.UseStatus499() was never called*");
    }

    [Theory]
    [InlineData("/protected/secret.txt")]
    [InlineData("/protected/custom")]
    public async Task Middleware_that_answers_before_UseStatus499_is_refused_with_an_empty_500(string path)
    {
        await using var app = await StartAsync(a =>
        {
            a.UseStaticFiles();
            a.Use((context, next) => context.Request.Path == "/protected/custom" ? context.Response.WriteAsync(Reached) : next(context));
            a.UseRouting();
            a.UseStatus499();
        });
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        var response = await http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().BeEmpty();
        var logs = app.Services.GetFakeLogCollector();
        (await Signal.EventuallyAsync(() => logs.GetSnapshot().Any(r => r.Id.Name == "UnguardedTokenRouteResponse" && r.Level == LogLevel.Error)))
            .Should().BeTrue();
        logs.GetSnapshot().Single(r => r.Id.Name == "UnguardedTokenRouteResponse").Message.Should().Contain("UseStatus499()").And.Contain(path);

        // The guard refuses only what the token check did not see: a route the token check guards still answers, with a
        // token its content and without one the check's own refusal.
        using var withToken = new HttpRequestMessage(HttpMethod.Get, "/convention?f=json");
        withToken.Headers.Add("X-Esri-Authorization", "Bearer " + GoodToken);
        (await (await http.SendAsync(withToken)).Content.ReadAsStringAsync()).Should().Be(Reached);
        (await http.GetStringAsync("/convention?f=json")).Should().Contain("\"code\":499");
    }

    // Outer middleware that answers on a token route without calling the token check: HTTPS redirection, a rate
    // limiter, an exception handler, a 404. None of those carries protected content, so the guard lets each through
    // unchanged, its body included (a guard that refused them would answer an empty 500).
    [Theory]
    [InlineData(302, "")]
    [InlineData(404, "not here")]
    [InlineData(429, "slow down")]
    [InlineData(503, "maintenance")]
    public async Task Redirects_and_errors_from_outer_middleware_pass_the_guard(int status, string body)
    {
        await using var app = await StartAsync(a =>
        {
            a.Use((context, next) =>
            {
                if (context.Request.Path != "/protected/outer")
                {
                    return next(context);
                }

                if (status == 302)
                {
                    context.Response.Redirect("/elsewhere");
                    return Task.CompletedTask;
                }

                context.Response.StatusCode = status;
                return context.Response.WriteAsync(body);
            });
            a.UseRouting();
            a.UseStatus499();
        });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(AddressOf(app)) };

        var response = await http.GetAsync("/protected/outer");

        ((int)response.StatusCode).Should().Be(status, "an answer that is not a success carries no protected content");
        (await response.Content.ReadAsStringAsync()).Should().Be(body);
        if (status == 302)
        {
            response.Headers.Location!.OriginalString.Should().Be("/elsewhere");
        }

        app.Services.GetFakeLogCollector().GetSnapshot().Should().NotContain(r => r.Id.Name == "UnguardedTokenRouteResponse");
    }

    [Theory]
    [InlineData("/api/*")]
    [InlineData("/api/*.json")]
    [InlineData("/api/**")]
    public async Task Glob_style_pattern_refuses_to_start_naming_the_pattern_and_the_fix(string glob)
    {
        var builder = CreateBuilder(patterns: false);
        builder.Services.Configure<Status499Options>(o => o.MapRoute(glob, Status499Meaning.TokenRequired));
        await using var app = builder.Build();

        await app.Awaiting(a => a.StartAsync()).Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage($"*MapRoute(\"{glob}\")*'*' outside a parameter*{{**rest}}*");
    }

    [Fact]
    public async Task TokenRequired_routes_without_a_validator_refuse_to_start()
    {
        var builder = CreateBuilder(patterns: true, validator: false);
        await using var app = builder.Build();
        app.UseStatus499();
        MapEverything(app);

        await app.Awaiting(a => a.StartAsync()).Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*requires a token, but no token validator is registered*");
    }

    [Fact]
    public async Task No_registered_validator_refuses_to_start_naming_the_route()
    {
        await FluentActions.Awaiting(() => TestApp.StartAsync(a => a.MapGet("/secure", () => "reached").RequireToken()))
            .Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*/secure*requires a token, but no token validator is registered*AddTokenValidator*");
    }

    [Fact]
    public async Task RequireToken_without_AddStatus499_refuses_to_build_the_endpoint()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/convention", () => Reached).RequireToken();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(AddressOf(app)) };

        var response = await http.GetAsync("/convention");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().NotContain(Reached);
    }

    private async Task<WebApplication> StartAsync(Action<WebApplication> pipeline)
    {
        var app = CreateBuilder(patterns: true).Build();
        try
        {
            pipeline(app);
            MapEverything(app);
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private WebApplicationBuilder CreateBuilder(bool patterns, bool validator = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { WebRootPath = _webRoot, ContentRootPath = _webRoot });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);
        builder.Services.AddControllers().AddApplicationPart(typeof(FailClosedMvcController).Assembly);
        builder.Services.AddReverseProxy().LoadFromMemory(
            [
                new RouteConfig { RouteId = "proxy", ClusterId = "backend", Match = new RouteMatch { Path = "/protected/proxy/{**rest}" } },
                new RouteConfig { RouteId = "proxy-convention", ClusterId = "backend", Match = new RouteMatch { Path = "/yarp/{**rest}" } },
            ],
            [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = _backendAddress } } }]);
        var status499 = builder.Services.AddStatus499(o =>
        {
            if (patterns)
            {
                o.MapRoute("/protected/{**rest}", Status499Meaning.TokenRequired);
                o.MapRoute("/pattern-endpoint", Status499Meaning.TokenRequired);
            }
        });
        if (validator)
        {
            status499.AddStaticTokens(GoodToken);
        }

        return builder;
    }

    private static void MapEverything(WebApplication app)
    {
        app.MapGet("/pattern-endpoint", () => Reached);
        app.MapGet("/convention", () => Reached).RequireToken();
        app.MapGet("/attribute", [RequireToken] () => Reached);
        app.MapGet("/metadata", () => Reached).WithMetadata(new RequireTokenAttribute());
        app.MapGroup("/group").RequireToken().MapGet("/item", () => Reached);
        app.MapControllers();
        app.MapReverseProxy().RequireToken();
        app.MapFallback(() => Reached);
    }

    private static string AddressOf(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

[ApiController]
[Route("mvc")]
public sealed class FailClosedMvcController : ControllerBase
{
    [HttpGet("action")]
    [RequireToken]
    public string Action() => "REACHED";
}

[ApiController]
[Route("mvc-controller")]
[RequireToken]
public sealed class FailClosedMvcTokenController : ControllerBase
{
    [HttpGet("item")]
    public string Item() => "REACHED";
}
