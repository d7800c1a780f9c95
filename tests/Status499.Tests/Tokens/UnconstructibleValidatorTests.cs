using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// A validator registered as a type whose constructor throws (a missing connection string, a dependency that cannot be
// created) is a failing validator: every token is refused with the ArcGIS 498 body and logged as TokenValidatorFailed;
// never a 500 from the container's exception, never the route's content.
public sealed class UnconstructibleValidatorTests
{
    private const string OnlineInvalid = """{"error":{"code":498,"message":"Invalid token.","details":[]}}""";

    [Theory]
    [InlineData(ServiceLifetime.Singleton)]
    [InlineData(ServiceLifetime.Scoped)]
    [InlineData(ServiceLifetime.Transient)]
    public async Task Validator_whose_constructor_throws_refuses_the_token_with_498(ServiceLifetime lifetime)
    {
        var reached = false;
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () =>
            {
                reached = true;
                return "secret content";
            }).RequireToken(),
            configureBuilder: b => b.AddTokenValidator<UnconstructibleValidator>(lifetime));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        // Twice: a singleton whose construction failed is not cached by the container, and must fail closed again.
        for (var i = 0; i < 2; i++)
        {
            using var json = new HttpRequestMessage(HttpMethod.Get, "/secure?f=json");
            json.Headers.Add("X-Esri-Authorization", "Bearer some-token");
            using var jsonResponse = await http.SendAsync(json);
            jsonResponse.StatusCode.Should().Be(HttpStatusCode.OK, "ArcGIS answers f=json errors with HTTP 200");
            (await jsonResponse.Content.ReadAsStringAsync()).Should().Be(OnlineInvalid);
        }

        using var plain = new HttpRequestMessage(HttpMethod.Get, "/secure");
        plain.Headers.Add("X-Esri-Authorization", "Bearer some-token");
        using var plainResponse = await http.SendAsync(plain);
        ((int)plainResponse.StatusCode).Should().Be(498);
        (await plainResponse.Content.ReadAsStringAsync()).Should().Contain("\"code\":498").And.NotContain("secret content");

        reached.Should().BeFalse("the route's content is never served without a validated token");
        (await Signal.EventuallyAsync(() => app.Observer.All.Count == 3)).Should().BeTrue("every request ends");
        app.Observer.All.Should().OnlyContain(o => o.TokenOutcome == TokenOutcome.ValidatorFailed && o.EscapedException == null);
        var failures = app.Logs.GetSnapshot().Where(r => r.Id.Name == "TokenValidatorFailed").ToList();
        failures.Should().HaveCount(3).And.OnlyContain(r => r.Level == LogLevel.Error && r.Exception != null);
        failures[0].Exception!.ToString().Should().Contain(UnconstructibleValidator.Why, "the log says why the validator could not be created");
        failures.Should().NotContain(r => r.Message.Contains("some-token") || r.Exception!.ToString().Contains("some-token"));
        app.Logs.GetSnapshot().Should().NotContain(r => r.Category == "Microsoft.AspNetCore.Server.Kestrel" && r.Level >= LogLevel.Error,
            "no exception reaches the server");
    }

    private sealed class UnconstructibleValidator : ITokenValidator
    {
        public const string Why = "Tokens:ConnectionString is not set";

        public UnconstructibleValidator() => throw new InvalidOperationException(Why);

        public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context) => new(TokenValidatorResult.Valid());
    }
}
