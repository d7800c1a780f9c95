using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Status499.Tests.Configuration;

// .NET configuration keys are case-insensitive everywhere (JSON written in camelCase, the upper-case environment
// variables containers use), and a startup error names the key by its path and suggests what was meant.
public sealed class ConfigurationKeyTests
{
    private static WebApplication Build(Action<IConfigurationBuilder> addSettings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();

        // Only the settings under test: a sample's appsettings.json is copied next to the tests (which one depends on
        // the build order).
        builder.Configuration.Sources.Clear();
        addSettings(builder.Configuration);
        builder.Services.AddStatus499(builder.Configuration.GetSection("Status499")).AddStaticTokens("t");
        var app = builder.Build();
        app.UseStatus499();
        return app;
    }

    private static WebApplication BuildFrom(Dictionary<string, string?> settings) => Build(c => c.AddInMemoryCollection(settings));

    private static async Task<string> StartupErrorAsync(WebApplication app)
        => (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>()).Which.Message;

    private static void ShouldHaveTheRoutes(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<Status499Options>>().Value;
        options.Routes.Select(r => (r.RoutePattern, r.Value)).Should().Equal(("/arcgis/{**rest}", Status499Meaning.TokenRequired));
        options.ContinueAfterClientAbortRoutes.Select(r => (r.RoutePattern, r.Value)).Should().Equal(("/payments/{**rest}", (TimeSpan?)TimeSpan.FromSeconds(45)));
        options.Token.MaxTokenLength.Should().Be(100);
    }

    [Fact]
    public async Task Lower_case_json_keys_bind()
    {
        const string json = """
            { "status499": {
                "routes": [ { "pattern": "/arcgis/{**rest}", "meaning": "tokenRequired" } ],
                "continueAfterClientAbortRoutes": [ { "pattern": "/payments/{**rest}", "maximum": "00:00:45" } ],
                "token": { "maxTokenLength": 100 } } }
            """;
        await using var app = Build(c => c.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        await app.StartAsync();

        ShouldHaveTheRoutes(app);
    }

    [Fact]
    public async Task Upper_case_keys_bind()
    {
        await using var app = BuildFrom(new()
        {
            ["STATUS499:ROUTES:0:PATTERN"] = "/arcgis/{**rest}",
            ["STATUS499:ROUTES:0:MEANING"] = "TOKENREQUIRED",
            ["STATUS499:CONTINUEAFTERCLIENTABORTROUTES:0:PATTERN"] = "/payments/{**rest}",
            ["STATUS499:CONTINUEAFTERCLIENTABORTROUTES:0:MAXIMUM"] = "00:00:45",
            ["STATUS499:TOKEN:MAXTOKENLENGTH"] = "100",
        });

        await app.StartAsync();

        ShouldHaveTheRoutes(app);
    }

    // Through the real environment: the process's variables are shared by every test, so these carry a prefix no other
    // test uses, and are removed again.
    [Fact]
    public async Task Environment_variables_as_containers_set_them_bind()
    {
        var prefix = $"S499TEST{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "STATUS499__ROUTES__0__PATTERN"] = "/arcgis/{**rest}",
            [prefix + "STATUS499__ROUTES__0__MEANING"] = "TokenRequired",
            [prefix + "STATUS499__CONTINUEAFTERCLIENTABORTROUTES__0__PATTERN"] = "/payments/{**rest}",
            [prefix + "STATUS499__CONTINUEAFTERCLIENTABORTROUTES__0__MAXIMUM"] = "00:00:45",
            [prefix + "STATUS499__TOKEN__MAXTOKENLENGTH"] = "100",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            await using var app = Build(c => c.AddEnvironmentVariables(prefix));
            await app.StartAsync();

            ShouldHaveTheRoutes(app);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Theory]
    [InlineData("Status499:DefaultMeening", "None", "Status499:DefaultMeening is not a Status499 setting. Did you mean 'DefaultMeaning'?")]
    [InlineData("Status499:Token:Source:0", "Query", "Status499:Token:Source is not a Status499 token setting. Did you mean 'Sources'?")]
    [InlineData("Status499:Token:maxtokenlenght", "100", "Status499:Token:maxtokenlenght is not a Status499 token setting. Did you mean 'MaxTokenLength'?")]
    [InlineData("Status499:Route:0:Pattern", "/x", "Status499:Route is not a Status499 setting. Did you mean 'Routes'?")]
    [InlineData("Status499:Routes:0:Patern", "/x", "Status499:Routes:0:Patern is not a route setting; a route has a Pattern and a Meaning. Did you mean 'Pattern'?")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Maximun", "00:00:10", "Status499:ContinueAfterClientAbortRoutes:0:Maximun is not a ContinueAfterClientAbort route setting; a route has a Pattern and an optional Maximum. Did you mean 'Maximum'?")]
    public async Task An_unknown_key_is_named_by_its_path_with_the_nearest_setting(string key, string value, string expected)
    {
        await using var app = BuildFrom(new()
        {
            ["Status499:Routes:0:Pattern"] = "/ok/{**rest}",
            ["Status499:Routes:0:Meaning"] = "None",
            ["Status499:ContinueAfterClientAbortRoutes:0:Pattern"] = "/payments/{**rest}",
            [key] = value,
        });

        var message = await StartupErrorAsync(app);

        message.Should().Contain(expected).And.NotContain("ErrorOnUnknownConfiguration").And.NotContain("TokenRequiredOptions");
    }

    [Fact]
    public async Task Every_unknown_key_is_reported_and_a_far_one_gets_no_guess()
    {
        await using var app = BuildFrom(new()
        {
            ["Status499:Colour"] = "blue",
            ["Status499:Token:Flavour"] = "mint",
            ["Status499:Routes:0:Pattern"] = "/ok/{**rest}",
            ["Status499:Routes:0:Meaning"] = "None",
            ["Status499:Routes:0:Note"] = "why",
        });

        var message = await StartupErrorAsync(app);

        message.Should().Contain("Status499:Colour is not a Status499 setting.")
            .And.Contain("Status499:Token:Flavour is not a Status499 token setting.")
            .And.Contain("Status499:Routes:0:Note is not a route setting")
            .And.NotContain("Did you mean");
    }

    [Theory]
    [InlineData("/api/*", "write '/api/{**rest}' for everything under /api")]
    [InlineData("/maps/rest/**", "write '/maps/rest/{**rest}' for everything under /maps/rest")]
    [InlineData("/*", "write '/{**rest}' for everything under /")]
    [InlineData("/a/*/b", "write '/a/{segment}/b' for one segment there, or '/a/{**rest}' for everything under /a")]
    [InlineData("/files/*.png", "write '/files/{part}.png' for one segment there, or '/files/{**rest}' for everything under /files")]
    [InlineData("/*/rest/services", "write '/{segment}/rest/services' for one segment there, or '/{**rest}' for everything under /")]
    public async Task A_glob_pattern_gets_the_route_template_for_what_was_written(string pattern, string suggestion)
    {
        await using var app = BuildFrom(new() { ["Status499:Routes:0:Pattern"] = pattern, ["Status499:Routes:0:Meaning"] = "TokenRequired" });

        var message = await StartupErrorAsync(app);

        message.Should().Contain($"Status499:Routes:0:Pattern: '{pattern}' has a '*' outside a parameter").And.Contain(suggestion);
    }

    [Theory]
    [InlineData("/api/{id:int}", "the parameter 'id' has a constraint", "write '/api/{id}'")]
    [InlineData("/api/{id:int?}/x", "the parameter 'id' has a constraint", "write '/api/{id?}/x'")]
    [InlineData("/files/{**path:nonfile}", "the parameter 'path' has a constraint", "write '/files/{**path}'")]
    [InlineData("/{a:int}/{b:alpha}", "the parameters 'a', 'b' have constraints", "write '/{a}/{b}'")]
    public async Task A_constrained_pattern_gets_the_pattern_without_its_constraints(string pattern, string problem, string suggestion)
    {
        await using var app = BuildFrom(new() { ["Status499:ContinueAfterClientAbortRoutes:0:Pattern"] = pattern });

        var message = await StartupErrorAsync(app);

        message.Should().Contain($"Status499:ContinueAfterClientAbortRoutes:0:Pattern: {problem}").And.Contain(suggestion);
    }
}
