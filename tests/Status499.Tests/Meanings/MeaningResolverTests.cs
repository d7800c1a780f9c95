using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Meanings;

public sealed class MeaningResolverTests
{
    private static async Task<TestApp> StartAsync(Action<WebApplication> map, Action<Status499Options>? configure = null)
        => await TestApp.StartAsync(map, configure, configureBuilder: b => b.AddStaticTokens("good"), testServer: true,
            services: s => s.AddControllers().AddApplicationPart(typeof(MeaningController).Assembly));

    private static IResult Report(HttpContext context) => Results.Text((context.Features.Get<IStatus499Feature>()?.Meaning ?? Status499Meaning.None).ToString());

    [Fact]
    public async Task Default_meaning_applies_when_nothing_else_decides()
    {
        await using var app = await StartAsync(a => a.MapGet("/plain", Report));
        (await app.CreateTestServerClient().GetStringAsync("/plain")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Configured_default_meaning_is_used()
    {
        await using var app = await StartAsync(a => a.MapGet("/plain", Report), o => o.DefaultMeaning = Status499Meaning.None);
        (await app.CreateTestServerClient().GetStringAsync("/plain")).Should().Be("None");
    }

    [Fact]
    public async Task First_matching_route_pattern_wins_over_the_default()
    {
        await using var app = await StartAsync(
            a =>
            {
                a.MapGet("/api/{**rest}", Report);
                a.MapGet("/other", Report);
            },
            o => o.MapRoute("/api/streams/{**rest}", Status499Meaning.None)
                  .MapRoute("/api/{**rest}", Status499Meaning.TokenRequired)
                  .MapRoute("/api/streams/live", Status499Meaning.ClientClosedRequest));
        var client = app.CreateTestServerClient();

        (await client.GetStringAsync("/api/streams/live")).Should().Be("None");
        (await client.GetStringAsync("/other")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Endpoint_metadata_wins_over_route_patterns()
    {
        await using var app = await StartAsync(
            a => a.MapGet("/api/open", Report).WithStatus499Meaning(Status499Meaning.ClientClosedRequest),
            o => o.MapRoute("/api/{**rest}", Status499Meaning.None));

        (await app.CreateTestServerClient().GetStringAsync("/api/open")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Endpoint_convention_wins_over_its_route_group()
    {
        await using var app = await StartAsync(a =>
        {
            var group = a.MapGroup("/group").DisableStatus499();
            group.MapGet("/inherits", Report);
            group.MapGet("/overrides", Report).WithStatus499Meaning(Status499Meaning.ClientClosedRequest);
            var nested = group.MapGroup("/nested").WithStatus499Meaning(Status499Meaning.ClientClosedRequest);
            nested.MapGet("/deep", Report);
        });
        var client = app.CreateTestServerClient();

        // A None route gets no feature at all: Report falls back to "None".
        (await client.GetStringAsync("/group/inherits")).Should().Be("None");
        (await client.GetStringAsync("/group/overrides")).Should().Be("ClientClosedRequest");
        (await client.GetStringAsync("/group/nested/deep")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Action_attribute_wins_over_controller_attribute()
    {
        await using var app = await StartAsync(a => a.MapControllers());
        var client = app.CreateTestServerClient();

        (await client.GetStringAsync("/mvc/inherits")).Should().Be("None");
        (await client.GetStringAsync("/mvc/overrides")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Route_patterns_apply_to_requests_that_match_no_endpoint()
    {
        await using var app = await TestApp.StartAsync(
            a => a.Run(context => Report(context).ExecuteAsync(context)),
            o => o.MapRoute("/files/{**path}", Status499Meaning.None).MapRoute("/proxy/{**path}", Status499Meaning.ClientClosedRequest),
            testServer: true);
        var client = app.CreateTestServerClient();

        (await client.GetStringAsync("/files/site.css")).Should().Be("None");
        (await client.GetStringAsync("/proxy/anything/at/all")).Should().Be("ClientClosedRequest");
    }

    [Fact]
    public async Task Feature_exposes_the_meaning_to_outer_middleware()
    {
        await using var app = await StartAsync(a => a.MapGet("/x", () => "x"));
        await app.CreateTestServerClient().GetStringAsync("/x");

        var seen = await app.Observer.WaitAsync();
        seen.Meaning.Should().Be(Status499Meaning.ClientClosedRequest);
        seen.Phase.Should().Be(ClientDisconnectPhase.None);
    }

    // The lenient-path guard of a TokenRequired pattern costs ordinary paths nothing (RouteSettingResolverTests covers
    // the other branches).
    [Fact]
    public void Resolve_allocates_nothing_on_ordinary_paths_under_a_TokenRequired_pattern()
    {
        var options = new Status499Options();
        options.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired);
        var resolver = new MeaningResolver(options);
        string[] ordinary = ["/arcgis/rest/services/Demo/FeatureServer/0/query", "/", "/a.b/c.json", "/files/report.v2.pdf", "/x-y_z~1"];
        var contexts = ordinary.Select(path => new DefaultHttpContext { Request = { Path = path } }).ToArray();
        Allocations.Of(() =>
        {
            foreach (var context in contexts)
            {
                resolver.Resolve(context);
            }
        }).Should().Be(0);
        resolver.Resolve(contexts[0]).Should().Be(Status499Meaning.TokenRequired);
    }
}

[DisableStatus499]
[Route("mvc")]
public sealed class MeaningController : ControllerBase
{
    [HttpGet("inherits")]
    public string Inherits() => (HttpContext.Features.Get<IStatus499Feature>()?.Meaning ?? Status499Meaning.None).ToString();

    [HttpGet("overrides")]
    [Status499Meaning(Status499Meaning.ClientClosedRequest)]
    public string Overrides() => (HttpContext.Features.Get<IStatus499Feature>()?.Meaning ?? Status499Meaning.None).ToString();
}
