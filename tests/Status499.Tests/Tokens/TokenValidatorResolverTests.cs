using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// The validator is taken from the root provider once it is known to be a singleton, and from the request's scope
// otherwise: each request still gets its own services.
public sealed class TokenValidatorResolverTests
{
    [Fact]
    public async Task Scoped_validator_is_resolved_from_the_request_scope()
    {
        var scopes = new ConcurrentQueue<RequestScopeMarker>();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", (HttpContext c) =>
            {
                // The validator's scoped dependency is the one the endpoint sees: same request scope.
                var marker = c.RequestServices.GetRequiredService<RequestScopeMarker>();
                scopes.Enqueue(marker);
                return marker.ValidatedBy is not null ? "same scope" : "other scope";
            }).RequireToken(),
            configureBuilder: b => b.AddTokenValidator<ScopedValidator>(ServiceLifetime.Scoped),
            services: s => s.AddScoped<RequestScopeMarker>());

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
            request.Headers.Add("X-Esri-Authorization", "Bearer good");
            using var response = await http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("same scope");
        }

        scopes.Should().HaveCount(2).And.OnlyHaveUniqueItems("each request has its own scope");
    }

    [Fact]
    public async Task Singleton_validator_instance_serves_every_request()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () => "hello").RequireToken(),
            configureBuilder: b => b.AddTokenValidator<CountingValidator>());

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
            request.Headers.Add("X-Esri-Authorization", "Bearer good");
            using var response = await http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var validator = (CountingValidator)app.App.Services.GetRequiredService<ITokenValidator>();
        validator.Calls.Should().Be(3);
    }

    public sealed class RequestScopeMarker
    {
        public ScopedValidator? ValidatedBy { get; set; }
    }

    public sealed class ScopedValidator(RequestScopeMarker marker) : ITokenValidator
    {
        public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
        {
            marker.ValidatedBy = this;
            var sameScope = ReferenceEquals(marker, context.HttpContext.RequestServices.GetRequiredService<RequestScopeMarker>());
            return new(sameScope && context.Token == "good" ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid());
        }
    }

    public sealed class CountingValidator : ITokenValidator
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
        {
            Interlocked.Increment(ref _calls);
            return new(context.Token == "good" ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid());
        }
    }
}
