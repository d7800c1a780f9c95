using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ContinueAfterClientAbort;

// Which requests continue after their client left, and for how long at most: endpoint metadata (the most specific)
// over patterns, the default maximum, the app-wide limit. Resolved through real routing on TestServer; the precedence
// rule itself is RouteSettingResolverTests', the behaviour is proven on Kestrel in ContinueAfterClientAbortTests.
public sealed class ContinueAfterClientAbortResolverTests
{
    private static async Task<TestApp> StartAsync(Action<WebApplication> map, Action<Status499Options>? configure = null)
        => await TestApp.StartAsync(map, configure, configureBuilder: b => b.AddStaticTokens("good"), testServer: true,
            services: s => s.AddControllers().AddApplicationPart(typeof(ContinueResolutionController).Assembly));

    // What the resolver decides for this request: "none" or the maximum in seconds.
    private static string Report(HttpContext context)
        => context.RequestServices.GetRequiredService<ContinueAfterClientAbortResolver>().Resolve(context) is { } maximum
            ? maximum.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "none";

    [Fact]
    public async Task Routes_that_declare_nothing_do_not_continue()
    {
        await using var app = await StartAsync(a => a.MapGet("/plain", Report));
        (await app.CreateTestServerClient().GetStringAsync("/plain")).Should().Be("none");
    }

    [Fact]
    public async Task Convention_without_a_maximum_uses_the_30_second_default()
    {
        await using var app = await StartAsync(a => a.MapGet("/orders", Report).ContinueAfterClientAbort());
        (await app.CreateTestServerClient().GetStringAsync("/orders")).Should().Be("30");
        Status499Options.DefaultContinueAfterClientAbortMaximum.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Endpoint_declaration_wins_over_its_group_and_over_patterns()
    {
        await using var app = await StartAsync(
            a =>
            {
                var group = a.MapGroup("/payments").ContinueAfterClientAbort(TimeSpan.FromSeconds(40));
                group.MapGet("/inherits", Report);
                group.MapGet("/own", Report).ContinueAfterClientAbort(TimeSpan.FromSeconds(5));
                a.MapGet("/patterned/metadata", Report).ContinueAfterClientAbort(TimeSpan.FromSeconds(7));
                a.MapGet("/patterned/plain", Report);
            },
            o => o.ContinueAfterClientAbort("/payments/{**rest}", TimeSpan.FromSeconds(90))
                .ContinueAfterClientAbort("/patterned/{**rest}", TimeSpan.FromSeconds(11))
                .ContinueAfterClientAbort("/patterned/{**rest}", TimeSpan.FromSeconds(12)));
        var http = app.CreateTestServerClient();

        (await http.GetStringAsync("/payments/inherits")).Should().Be("40");
        (await http.GetStringAsync("/payments/own")).Should().Be("5");
        (await http.GetStringAsync("/patterned/metadata")).Should().Be("7");
        (await http.GetStringAsync("/patterned/plain")).Should().Be("11", "the first matching pattern wins");
    }

    [Fact]
    public async Task Action_attribute_wins_over_its_controller()
    {
        await using var app = await StartAsync(a => a.MapControllers());
        var http = app.CreateTestServerClient();

        (await http.GetStringAsync("/continue-resolution/inherits")).Should().Be("90");
        (await http.GetStringAsync("/continue-resolution/overrides")).Should().Be("20");
    }

    // A maximum beyond any limit (an attribute's seconds or a TimeSpan of weeks) is lowered, never an overflow or a timer
    // that refuses it at request time: the limit itself is at most a day, checked at startup.
    [Fact]
    public async Task Huge_maxima_are_lowered_to_the_limit()
    {
        ((IContinueAfterClientAbortMetadata)new ContinueAfterClientAbortAttribute { MaximumSeconds = 1e15 }).Maximum
            .Should().Be(TimeSpan.FromDays(1));

        await using var app = await StartAsync(
            a =>
            {
                a.MapGet("/weeks", Report).ContinueAfterClientAbort(TimeSpan.FromDays(60));
                a.MapGet("/pattern", Report);
            },
            o =>
            {
                o.ContinueAfterClientAbortLimit = TimeSpan.FromDays(1);
                o.ContinueAfterClientAbort("/pattern", TimeSpan.MaxValue);
            });
        var http = app.CreateTestServerClient();

        (await http.GetStringAsync("/weeks")).Should().Be("86400");
        (await http.GetStringAsync("/pattern")).Should().Be("86400");
    }

    [Fact]
    public async Task App_wide_limit_lowers_every_larger_maximum()
    {
        await using var app = await StartAsync(
            a =>
            {
                a.MapGet("/long", Report).ContinueAfterClientAbort(TimeSpan.FromMinutes(10));
                a.MapGet("/default", Report).ContinueAfterClientAbort();
                a.MapGet("/short", Report).ContinueAfterClientAbort(TimeSpan.FromSeconds(2));
                a.MapGet("/pattern", Report);
            },
            o =>
            {
                o.ContinueAfterClientAbortLimit = TimeSpan.FromSeconds(15);
                o.ContinueAfterClientAbort("/pattern", TimeSpan.FromMinutes(1));
            });
        var http = app.CreateTestServerClient();

        (await http.GetStringAsync("/long")).Should().Be("15");
        (await http.GetStringAsync("/default")).Should().Be("15");
        (await http.GetStringAsync("/short")).Should().Be("2");
        (await http.GetStringAsync("/pattern")).Should().Be("15");
    }

    [Fact]
    public void Resolve_allocates_nothing()
    {
        var options = new Status499Options().ContinueAfterClientAbort("/payments/{**rest}", TimeSpan.FromSeconds(45));
        var resolver = new ContinueAfterClientAbortResolver(options);
        var declared = new DefaultHttpContext { Request = { Path = "/orders" } };
        declared.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new ContinueAfterClientAbortAttribute { MaximumSeconds = 5 }), "orders"));
        DefaultHttpContext[] contexts = [declared, new() { Request = { Path = "/payments/1" } }, new() { Request = { Path = "/plain" } }];
        Allocations.Of(() =>
        {
            foreach (var context in contexts)
            {
                resolver.Resolve(context);
            }
        }).Should().Be(0);
        contexts.Select(resolver.Resolve).Should().Equal(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(45), null);
    }
}

[Route("continue-resolution")]
[ContinueAfterClientAbort(MaximumSeconds = 90)]
public sealed class ContinueResolutionController : ControllerBase
{
    [HttpGet("inherits")]
    public string Inherits() => Report();

    [HttpGet("overrides")]
    [ContinueAfterClientAbort(MaximumSeconds = 20)]
    public string Overrides() => Report();

    private string Report()
        => HttpContext.RequestServices.GetRequiredService<ContinueAfterClientAbortResolver>().Resolve(HttpContext) is { } maximum
            ? maximum.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "none";
}
