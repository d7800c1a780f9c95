using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;
using static Status499.Tests.Tokens.TokenTestApp;

namespace Status499.Tests.Tokens;

// How a token check ends (TokenCheckResult), on real Kestrel: a valid token reaches the endpoint; every failure of the
// validator (a default result, an exception, a constructor that throws, the timeout) refuses the request (fail closed);
// a client that leaves during validation is recorded as 499; a server-side cancellation is the framework's to answer.
public sealed class TokenRequestHandlerTests
{
    private const string Reached = "REACHED";

    [Fact]
    public async Task Valid_token_reaches_the_endpoint_as_the_validated_user()
    {
        await using var app = await StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&token=good")).Should().Be("hello alice");

        var seen = await app.Observer.WaitAsync();
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
        seen.TokenSource.Should().Be(TokenSource.Query);
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Fact]
    public async Task Validator_that_returns_default_refuses_the_request()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () => Reached).RequireToken(),
            configureBuilder: b => b.AddTokenValidator(_ => default));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&token=anything")).Should().Be("""{"error":{"code":498,"message":"Invalid token.","details":[]}}""");
    }

    [Fact]
    public async Task Token_never_appears_in_a_log_line()
    {
        const string Secret = "bogus-secret-token-value";
        await using var app = await StartAsync(validator: c => c.Token == "good" ? Validate(c) : throw new InvalidOperationException("rejected " + c.Token));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure?f=json");
        request.Headers.Add("X-Esri-Authorization", "Bearer " + Secret);

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be(OnlineInvalid, "a validator that throws fails closed");
        var records = app.Logs.GetSnapshot();
        records.Should().Contain(r => r.Id.Name == "TokenValidatorFailed" && r.Level == LogLevel.Error);
        records.Should().NotContain(r => r.Message.Contains(Secret) || (r.Exception != null && r.Exception.ToString().Contains(Secret)));
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.ValidatorFailed);
    }

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

    [Fact]
    public async Task Validator_that_times_out_fails_closed()
    {
        await using var app = await StartAsync(
            o => o.Token.ValidationTimeout = TimeSpan.FromMilliseconds(200),
            async c =>
            {
                await Task.Delay(Timeout.Infinite, c.CancellationToken);
                return TokenValidatorResult.Valid();
            });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/secure?f=json&token=slow")).Should().Be(OnlineInvalid);
        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "TokenValidatorTimedOut");
        app.TokenRejections.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.reason"].Should().Be("validator_failed");
    }

    // The validation timeout is five minutes, so the only thing that can fire the validator's token within the
    // test's wait is the client leaving; a request that ends at all before the validator returns proves it too.
    [Fact]
    public async Task Validator_token_fires_when_the_client_leaves_during_validation()
    {
        var validating = new Signal();
        var cancelled = new Signal();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () => Reached).RequireToken(),
            o => o.Token.ValidationTimeout = TimeSpan.FromMinutes(5),
            b => b.AddTokenValidator(async c =>
            {
                c.CancellationToken.Register(cancelled.Set);
                validating.Set();

                // Ignores its token: only Status499 can end the request before the test releases it.
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return TokenValidatorResult.Valid();
            }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/secure?token=slow");
            await validating.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        await cancelled.WaitAsync();
        var seen = await app.Observer.WaitAsync();
        release.SetResult();
        seen.TokenOutcome.Should().NotBe(TokenOutcome.Accepted);
        seen.StatusCode.Should().Be(499, "nothing answered the request: the client left");
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty("the client left; nothing was refused");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "TokenValidatorTimedOut");
    }

    // UseRequestTimeouts() cancels RequestAborted through the request timeout: the server gave up, the client did not
    // leave, so the check neither refuses the token nor records a 499; it rethrows the cancellation for the framework to
    // answer 504, as when the same cancellation ends the form read.
    [Fact]
    public async Task Request_timeout_during_validation_is_answered_504_by_UseRequestTimeouts()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () => Reached).RequireToken().WithRequestTimeout(TimeSpan.FromMilliseconds(200)),
            o => o.Token.ValidationTimeout = TimeSpan.FromMinutes(5),
            b => b.AddTokenValidator(async c =>
            {
                // Ignores its token: only the request timeout can end the request before the test releases it.
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return TokenValidatorResult.Valid();
            }),
            services: s => s.AddRequestTimeouts(),
            beforeStatus499: a => { a.UseRouting(); a.UseRequestTimeouts(); });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/secure?token=slow");
        release.SetResult();

        ((int)response.StatusCode).Should().Be(504);
        (await response.Content.ReadAsStringAsync()).Should().NotContain(Reached);
        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(504);
        seen.TokenOutcome.Should().Be(TokenOutcome.NotChecked, "the validator gave no verdict");
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty("nothing was refused");
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client did not leave");
        app.WarningsAndErrors.Should().NotContain(w => w.StartsWith("Status499") || w.StartsWith("Microsoft.AspNetCore.Server.Kestrel"),
            "neither a misplaced-pipeline error from the guard nor an unhandled exception");
    }

    [Fact]
    public async Task WebSocket_upgrade_request_on_a_token_route_still_needs_a_token()
    {
        await using var app = await StartAsync();
        using var client = await RawHttpClient.ConnectAsync(app.Port);

        await client.SendAsync("GET /secure HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var response = await client.ReceiveUntilAsync("}}");

        response.Should().StartWith("HTTP/1.1 499 Token Required\r\n").And.EndWith(OnlineTokenRequired);
        (await app.Observer.WaitAsync()).TokenOutcome.Should().Be(TokenOutcome.Missing);
    }

    [Fact]
    public async Task Client_that_leaves_a_token_route_is_counted_but_its_status_is_not_rewritten()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure-slow", async (HttpContext c) =>
            {
                entered.Set();
                await Signal.WhenCancelled(c.RequestAborted);
                await c.Response.WriteAsync("late");
            }).RequireToken(),
            configureBuilder: b => b.AddStaticTokens("good"));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync("GET /secure-slow HTTP/1.1\r\nHost: localhost\r\nX-Esri-Authorization: Bearer good\r\n\r\n");
            await entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(200, "on a TokenRequired route a 499 means Token Required, so a disconnect is not rewritten");
        seen.TokenOutcome.Should().Be(TokenOutcome.Accepted);
        seen.TokenSource.Should().Be(TokenSource.EsriAuthorizationHeader);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["status499.meaning"].Should().Be("token_required");
    }

    private sealed class UnconstructibleValidator : ITokenValidator
    {
        public const string Why = "Tokens:ConnectionString is not set";

        public UnconstructibleValidator() => throw new InvalidOperationException(Why);

        public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context) => new(TokenValidatorResult.Valid());
    }
}
