using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Status499.Tests.Configuration;

public sealed class ConfigurationTests
{
    private static WebApplication Build(Dictionary<string, string?> settings, Action<Status499Options>? configure = null)
        => BuildFrom(configuration => configuration.AddInMemoryCollection(settings), configure);

    private static WebApplication BuildFrom(Action<IConfigurationBuilder> addSettings, Action<Status499Options>? configure = null, string? staticToken = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();

        // Only the settings under test: a sample's appsettings.json is copied next to the tests (which one depends on
        // the build order).
        builder.Configuration.Sources.Clear();
        addSettings(builder.Configuration);
        var status499 = builder.Services.AddStatus499(builder.Configuration.GetSection("Status499"), configure);
        if (staticToken is not null)
        {
            status499.AddStaticTokens(staticToken);
        }

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
        options.Routes.Select(r => (r.RoutePattern, r.Value)).Should().Equal(
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
    [InlineData("Status499:Routes:0:Meaning", "", "Status499:Routes:0:Meaning")]
    [InlineData("Status499:Routes:0:Pattern", "", "Status499:Routes:0:Pattern")]
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

    [Theory]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Maximum", "soon", "Status499:ContinueAfterClientAbortRoutes:0:Maximum")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Maximum", "-00:00:01", "Status499:ContinueAfterClientAbortRoutes:0:Maximum")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Maximum", "00:00:00", "Status499:ContinueAfterClientAbortRoutes:0:Maximum")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Pattern", "", "Status499:ContinueAfterClientAbortRoutes:0:Pattern")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Pattern", "/payments/{id:int}", "Status499:ContinueAfterClientAbortRoutes:0:Pattern")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Pattern", "/payments/*", "Status499:ContinueAfterClientAbortRoutes:0:Pattern")]
    [InlineData("Status499:ContinueAfterClientAbortRoutes:0:Maximun", "00:00:10", "Status499:ContinueAfterClientAbortRoutes:0:Maximun")]
    [InlineData("Status499:ContinueAfterClientAbortRoute:0:Pattern", "/x", "ContinueAfterClientAbortRoute")]
    [InlineData("Status499:ContinueAfterClientAbortLimit", "00:00:00", "Status499:ContinueAfterClientAbortLimit")]
    [InlineData("Status499:ContinueAfterClientAbortLimit", "later", "Status499:ContinueAfterClientAbortLimit")]
    [InlineData("Status499:ContinueAfterClientAbortLimit", "60.00:00:00", "Status499:ContinueAfterClientAbortLimit")]
    public async Task Bad_continue_after_client_abort_configuration_stops_startup_naming_the_key(string key, string value, string namedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Status499:ContinueAfterClientAbortRoutes:0:Pattern"] = "/payments/{**rest}",
            ["Status499:ContinueAfterClientAbortRoutes:0:Maximum"] = "00:00:45",
        };
        settings[key] = value;
        await using var app = Build(settings);

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain(namedKey);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Non_positive_continue_maximum_in_code_names_the_call(int seconds)
    {
        await using var app = Build([], o => o.ContinueAfterClientAbort("/payments/{**rest}", TimeSpan.FromSeconds(seconds)));

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("ContinueAfterClientAbort(\"/payments/{**rest}\"): the maximum must be positive");
    }

    [Fact]
    public async Task Non_positive_continue_maximum_on_an_endpoint_or_attribute_is_refused_where_it_is_declared()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();
        FluentActions.Invoking(() => app.MapGet("/x", () => "x").ContinueAfterClientAbort(TimeSpan.Zero))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maximum");
        FluentActions.Invoking(() => new ContinueAfterClientAbortAttribute { MaximumSeconds = -1 })
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Negative_wasted_work_threshold_names_the_setting()
    {
        await using var app = Build([], o => o.WastedWorkLogThreshold = TimeSpan.FromSeconds(-1));

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("Status499:WastedWorkLogThreshold must not be negative");
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
    [InlineData("Status499:Token:StatusMode", "Bogus", "Status499:Token:StatusMode")]
    [InlineData("Status499:Token:MaxFormLength", "1MB", "Status499:Token:MaxFormLength")]
    [InlineData("Status499:Token:MaxFormLength", "-1", "Status499:Token:MaxFormLength")]
    [InlineData("Status499:Token:Sources:1", "Cookie", "Status499:Token:CookieName")]
    public async Task Bad_token_configuration_stops_startup_naming_the_key(string key, string value, string namedKey)
    {
        await using var app = Build(new() { [key] = value });

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain(namedKey);
    }

    [Fact]
    public async Task Unknown_meaning_is_reported_at_startup_naming_the_key_not_at_the_first_request()
    {
        await using var app = Build(new() { ["Status499:DefaultMeaning"] = "Bogus" });

        // Build succeeded; the host refuses to start, so no request ever sees the bad value.
        var error = (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Message.Should().Contain("Status499:DefaultMeaning").And.Contain(nameof(Status499Meaning));
        error.OptionsType.Should().Be<Status499Options>();
    }

    [Theory]
    [InlineData("Status499:DefaultMeening", "None", "Status499:DefaultMeening")]
    [InlineData("Status499:Token:MaxTokenLenght", "100", "Status499:Token:MaxTokenLenght")]
    [InlineData("Status499:Token:Source:0", "Query", "Status499:Token:Source")]
    [InlineData("Status499:Routes:0:Patern", "/x", "Status499:Routes:0:Patern")]
    [InlineData("Status499:Routes:1:Note", "why", "Status499:Routes:1:Note")]
    public async Task Misspelled_key_stops_startup_naming_it(string key, string value, string namedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Status499:Routes:1:Pattern"] = "/ok/{**path}",
            ["Status499:Routes:1:Meaning"] = "None",
        };
        settings[key] = value;
        await using var app = Build(settings);

        var message = (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>()).Which.Message;

        message.Should().Contain(namedKey).And.Contain("Status499");
    }

    [Theory]
    [InlineData("Status499:ClientClosedRequestLogLevel", "3")]
    [InlineData("Status499:Token:Dialect", "1")]
    [InlineData("Status499:Token:StatusMode", "0")]
    [InlineData("Status499:Token:Sources:0", "3")]
    [InlineData("Status499:Routes:0:Meaning", "2")]
    [InlineData("Status499:DefaultMeaning", "None, TokenRequired")]
    [InlineData("Status499:Routes:0:Meaning", "ClientClosedRequest, TokenRequired")]
    public async Task Enum_settings_take_names_not_numbers_or_lists(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Status499:Routes:0:Pattern"] = "/ok/{**path}",
            ["Status499:Routes:0:Meaning"] = "None",
        };
        settings[key] = value;
        await using var app = Build(settings);

        (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain(key);
    }

    // The binder accepts enum numbers; Status499ConfigurationBinder lists the enum settings it checks by hand. This
    // finds every enum setting by reflection, so a new one that is not checked fails here.
    [Fact]
    public async Task Every_enum_setting_refuses_a_number()
    {
        var keys = EnumSettings(typeof(Status499Options), "Status499")
            .Concat(EnumSettings(typeof(TokenRequiredOptions), "Status499:Token"))
            .ToList();
        keys.Should().Contain(["Status499:DefaultMeaning", "Status499:Token:Sources:0"]);

        foreach (var key in keys)
        {
            await using var app = Build(new() { [key] = "1" });

            (await FluentActions.Awaiting(() => app.StartAsync()).Should().ThrowAsync<OptionsValidationException>(key))
                .Which.Message.Should().Contain(key);
        }

        static IEnumerable<string> EnumSettings(Type type, string section)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.PropertyType.IsEnum)
                {
                    yield return $"{section}:{property.Name}";
                }
                else if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericArguments()[0].IsEnum)
                {
                    yield return $"{section}:{property.Name}:0";
                }
            }
        }
    }

    private const string FullJson = """
        {
          "Status499": {
            "DefaultMeaning": "None",
            "ClientClosedRequestLogLevel": "Warning",
            "WastedWorkLogThreshold": "00:00:05",
            "ContinueAfterClientAbortLimit": "00:02:00",
            "RecordTerminationAsErrorType": true,
            "ContinueAfterClientAbortRoutes": [
              { "Pattern": "/payments/{**rest}", "Maximum": "00:00:45" },
              { "Pattern": "/jobs/{**rest}" }
            ],
            "Routes": [
              { "Pattern": "/arcgis/rest/services/{**path}", "Meaning": "TokenRequired" },
              { "Pattern": "/health", "Meaning": "none" }
            ],
            "Token": {
              "Sources": [ "Cookie", "AuthorizationHeader" ],
              "CookieName": "agstoken",
              "MaxTokenLength": 2048,
              "MaxFormLength": 65536,
              "Dialect": "Enterprise",
              "StatusMode": "StatusCode",
              "TokenRequiredMessage": "Sign in first.",
              "InvalidTokenMessage": "That token is not valid.",
              "ForbiddenMessage": "Not for you.",
              "ValidationTimeout": "00:00:03",
              "EnableJsonp": true,
              "PreferProblemDetails": true
            }
          }
        }
        """;

    [Fact]
    public async Task Every_public_option_binds_from_appsettings_json()
    {
        await using var app = BuildFrom(configuration => configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(FullJson))), staticToken: "t");
        await app.StartAsync();

        var options = app.Services.GetRequiredService<IOptions<Status499Options>>().Value;
        options.DefaultMeaning.Should().Be(Status499Meaning.None);
        options.ClientClosedRequestLogLevel.Should().Be(LogLevel.Warning);
        options.WastedWorkLogThreshold.Should().Be(TimeSpan.FromSeconds(5));
        options.Routes.Select(r => (r.RoutePattern, r.Value, r.Source)).Should().Equal(
            ("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired, "Status499:Routes:0:Pattern"),
            ("/health", Status499Meaning.None, "Status499:Routes:1:Pattern"));
        options.ContinueAfterClientAbortLimit.Should().Be(TimeSpan.FromMinutes(2));
        options.RecordTerminationAsErrorType.Should().BeTrue();
        options.ContinueAfterClientAbortRoutes.Should().Equal(
            new RouteMapping<TimeSpan?>("/payments/{**rest}", TimeSpan.FromSeconds(45), "Status499:ContinueAfterClientAbortRoutes:0:Pattern"),
            new RouteMapping<TimeSpan?>("/jobs/{**rest}", null, "Status499:ContinueAfterClientAbortRoutes:1:Pattern"));
        var token = options.Token;
        token.Sources.Should().Equal(TokenSource.Cookie, TokenSource.AuthorizationHeader); // replaces the defaults
        token.CookieName.Should().Be("agstoken");
        token.MaxTokenLength.Should().Be(2048);
        token.MaxFormLength.Should().Be(65536);
        token.Dialect.Should().Be(ArcGisDialect.Enterprise);
        token.StatusMode.Should().Be(TokenErrorStatusMode.StatusCode);
        token.TokenRequiredMessage.Should().Be("Sign in first.");
        token.InvalidTokenMessage.Should().Be("That token is not valid.");
        token.ForbiddenMessage.Should().Be("Not for you.");
        token.ValidationTimeout.Should().Be(TimeSpan.FromSeconds(3));
        token.EnableJsonp.Should().BeTrue();
        token.PreferProblemDetails.Should().BeTrue();

        // Each value above differs from its default, and the JSON sets every public option: a new option fails here
        // until it is added to the JSON and asserted.
        var defaults = new Status499Options();
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        foreach (var (type, section) in new[] { (typeof(Status499Options), "Status499"), (typeof(TokenRequiredOptions), "Status499:Token") })
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                configuration.GetSection($"{section}:{property.Name}").Exists().Should().BeTrue($"{section}:{property.Name} is in the JSON");
            }
        }

        defaults.DefaultMeaning.Should().NotBe(options.DefaultMeaning);
        defaults.ClientClosedRequestLogLevel.Should().NotBe(options.ClientClosedRequestLogLevel);
        defaults.WastedWorkLogThreshold.Should().NotBe(options.WastedWorkLogThreshold);
        defaults.ContinueAfterClientAbortLimit.Should().NotBe(options.ContinueAfterClientAbortLimit);
        defaults.RecordTerminationAsErrorType.Should().NotBe(options.RecordTerminationAsErrorType);
        defaults.Token.Sources.Should().NotEqual(token.Sources);
        defaults.Token.CookieName.Should().NotBe(token.CookieName);
        defaults.Token.MaxTokenLength.Should().NotBe(token.MaxTokenLength);
        defaults.Token.MaxFormLength.Should().NotBe(token.MaxFormLength);
        defaults.Token.Dialect.Should().NotBe(token.Dialect);
        defaults.Token.StatusMode.Should().NotBe(token.StatusMode);
        defaults.Token.TokenRequiredMessage.Should().NotBe(token.TokenRequiredMessage);
        defaults.Token.InvalidTokenMessage.Should().NotBe(token.InvalidTokenMessage);
        defaults.Token.ForbiddenMessage.Should().NotBe(token.ForbiddenMessage);
        defaults.Token.ValidationTimeout.Should().NotBe(token.ValidationTimeout);
        defaults.Token.EnableJsonp.Should().NotBe(token.EnableJsonp);
        defaults.Token.PreferProblemDetails.Should().NotBe(token.PreferProblemDetails);
    }

    [Fact]
    public async Task Code_configuration_runs_after_appsettings_and_wins()
    {
        await using var app = BuildFrom(
            configuration => configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(FullJson))),
            o => o.Token.MaxTokenLength = 100,
            staticToken: "t");
        await app.StartAsync();

        var options = app.Services.GetRequiredService<IOptions<Status499Options>>().Value;
        options.Token.MaxTokenLength.Should().Be(100);
        options.Token.Dialect.Should().Be(ArcGisDialect.Enterprise);
    }
}
