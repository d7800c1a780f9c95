using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Tokens;

// Ways a request could reach a token-protected endpoint without a valid token. Each must fail closed.
public sealed class TokenRouteBypassTests
{
    private const string Reached = "REACHED";

    [Theory]
    [InlineData("/arcgis/rest/services//Demo")]
    [InlineData("//arcgis/rest/services/Demo")]
    [InlineData("/arcgis//rest/services/Demo/FeatureServer")]
    public async Task Doubled_slashes_do_not_escape_a_TokenRequired_pattern(string path)
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/arcgis/rest/services/{**rest}", () => Reached);
                a.MapFallback(() => Reached);
            },
            o => o.MapRoute("/arcgis/rest/services/{**path}", Status499Meaning.TokenRequired),
            b => b.AddStaticTokens("good"));
        using var client = await RawHttpClient.ConnectAsync(app.Port);

        await client.SendAsync($"GET {path}?f=json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        (await client.ReceiveToEndAsync()).Should().NotContain(Reached).And.Contain("\"code\":499");
    }

    [Fact]
    public async Task Cors_preflight_without_UseCors_is_checked_like_any_request()
    {
        await using var app = await TestApp.StartAsync(
            a => a.Map("/any", () => Reached).RequireToken(),
            configureBuilder: b => b.AddStaticTokens("good"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Options, "/any");
        request.Headers.Add("Origin", "https://example.org");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().NotContain(Reached).And.Contain("\"code\":499");
    }

    [Fact]
    public async Task Cors_preflight_is_answered_by_UseCors_placed_before_UseStatus499()
    {
        await using var app = await TestApp.StartAsync(
            a => a.Map("/any", () => Reached).RequireToken().RequireCors("sites"),
            configureBuilder: b => b.AddStaticTokens("good"),
            services: s => s.AddCors(o => o.AddPolicy("sites", p => p.WithOrigins("https://example.org").AllowAnyHeader())),
            beforeStatus499: a => { a.UseRouting(); a.UseCors(); });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Options, "/any");
        request.Headers.Add("Origin", "https://example.org");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://example.org");
        (await response.Content.ReadAsStringAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task UseStatus499_before_UseRouting_refuses_to_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddStatus499().AddStaticTokens("good");
        await using var app = builder.Build();
        app.UseStatus499();
        app.UseRouting();
        app.MapGet("/secure", () => Reached).RequireToken();

        await FluentActions.Awaiting(() => app.StartAsync())
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("*Call app.UseStatus499() after app.UseRouting()*");
    }

    [Fact]
    public async Task UseStatus499_twice_is_harmless()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/ignores", async (HttpContext context) =>
            {
                entered.Set();
                await Signal.WhenCancelled(context.RequestAborted);
                await context.Response.WriteAsync("late", CancellationToken.None);
            }),
            beforeStatus499: a => { a.UseRouting(); a.UseStatus499(); });

        // The late write goes through the response body wrapper, which used to wrap itself and recurse forever.
        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/ignores");
            await entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle();
    }

    [Fact]
    public async Task Undecodable_form_is_a_400_not_a_500()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/secure", () => Reached).RequireToken(),
            configureBuilder: b => b.AddStaticTokens("good"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var content = new StringContent("token=good&f=json");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-7");

        using var response = await http.PostAsync("/secure", content);

        ((int)response.StatusCode).Should().Be(400);
        (await response.Content.ReadAsStringAsync()).Should().Contain("The form body could not be read.");
    }

    [Fact]
    public async Task Oversized_form_is_refused_before_it_is_read()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/secure", () => Reached).RequireToken(),
            o => o.Token.MaxFormLength = 1024,
            b => b.AddStaticTokens("good"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var content = new FormUrlEncodedContent([new("token", "good"), new("geometry", new string('x', 4096))]);

        using var response = await http.PostAsync("/secure", content);

        ((int)response.StatusCode).Should().Be(400);
        (await response.Content.ReadAsStringAsync()).Should().NotContain(Reached);
    }

    [Fact]
    public async Task Long_header_of_another_authorization_scheme_does_not_block_a_query_token()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", () => Reached).RequireToken(),
            o => o.Token.MaxTokenLength = 64,
            b => b.AddStaticTokens("good"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure?token=good");
        request.Headers.TryAddWithoutValidation("Authorization", "Negotiate " + new string('Y', 4000));

        using var response = await http.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be(Reached);
    }
}
