using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Status499.Tests;

public sealed class ConfigurationTests
{
    private static WebApplication Build(Dictionary<string, string?> settings, Action<Status499Options>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"), configure);
        var app = builder.Build();
        app.UseStatus499();
        return app;
    }

    [Fact]
    public void Binds_meanings_and_routes_from_configuration_in_order()
    {
        using var app = Build(new()
        {
            ["Status499:DefaultMeaning"] = "none",
            ["Status499:ClientClosedRequestLogLevel"] = "Warning",
            ["Status499:Routes:0:Pattern"] = "/arcgis/rest/services/{**path}",
            ["Status499:Routes:0:Meaning"] = "TokenRequired",
            ["Status499:Routes:1:Pattern"] = "/api/{**path}",
            ["Status499:Routes:1:Meaning"] = "ClientClosedRequest",
        }, o => o.MapRoute("/code/{**path}", Status499Meaning.None));

        var options = app.Services.GetRequiredService<IOptions<Status499Options>>().Value;
        options.DefaultMeaning.Should().Be(Status499Meaning.None);
        options.ClientClosedRequestLogLevel.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
        options.Routes.Select(r => (r.RoutePattern, r.Meaning)).Should().Equal(
            ("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired),
            ("/api/{**path}", Status499Meaning.ClientClosedRequest),
            ("/code/{**path}", Status499Meaning.None));
    }

    [Theory]
    [InlineData("Status499:DefaultMeaning", "Sometimes", "Status499:DefaultMeaning")]
    [InlineData("Status499:DefaultMeaning", "2", "Status499:DefaultMeaning")]
    [InlineData("Status499:ClientClosedRequestLogLevel", "Loud", "Status499:ClientClosedRequestLogLevel")]
    [InlineData("Status499:Routes:0:Meaning", "Maybe", "Status499:Routes:0:Meaning")]
    [InlineData("Status499:Routes:0:Pattern", "/api/{unclosed", "Status499:Routes:0:Pattern")]
    [InlineData("Status499:Routes:0:Pattern", "/api/{id:int}", "Status499:Routes:0:Pattern")]
    public async Task Bad_configuration_stops_startup_naming_the_key(string key, string value, string namedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Status499:Routes:0:Pattern"] = "/ok/{**path}",
            ["Status499:Routes:0:Meaning"] = "None",
        };
        settings[key] = value;
        await using var app = Build(settings);

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(namedKey);
    }

    [Fact]
    public async Task Bad_route_pattern_in_code_names_the_MapRoute_call()
    {
        await using var app = Build([], o => o.MapRoute("/broken/{", Status499Meaning.None));

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("MapRoute(\"/broken/{\")");
    }

    [Fact]
    public void UseStatus499_without_AddStatus499_explains_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        using var app = builder.Build();

        FluentActions.Invoking(() => app.UseStatus499()).Should().Throw<InvalidOperationException>()
            .WithMessage("*AddStatus499*");
    }

    [Fact]
    public void A_second_token_validator_is_refused_while_configuring()
    {
        var services = new ServiceCollection();
        var builder = services.AddStatus499().AddStaticTokens("a");

        FluentActions.Invoking(() => builder.AddTokenValidator(_ => default)).Should().Throw<InvalidOperationException>()
            .WithMessage("*already registered*");
    }

    [Theory]
    [InlineData("Status499:Token:ValidationTimeout", "1.00:00:00", "Status499:Token:ValidationTimeout")]
    [InlineData("Status499:Token:MaxTokenLength", "0", "Status499:Token:MaxTokenLength")]
    [InlineData("Status499:Token:Sources:0", "Header", "Status499:Token:Sources:0")]
    [InlineData("Status499:Token:Dialect", "Cloud", "Status499:Token:Dialect")]
    [InlineData("Status499:Token:EnableJsonp", "yes", "Status499:Token:EnableJsonp")]
    public async Task Bad_token_configuration_stops_startup_naming_the_key(string key, string value, string namedKey)
    {
        await using var app = Build(new() { [key] = value });

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain(namedKey);
    }
}
