using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.Pipeline;

// The per-request context (and its IStatus499Feature) is pooled and returned when the response has completed: requests in flight
// at the same time never share one, and it stays readable until the app's own OnCompleted callbacks have run.
public sealed class Status499RequestContextPoolTests
{
    [Fact]
    public async Task Concurrent_requests_each_see_their_own_feature()
    {
        const int PerKind = 12;
        var inFlight = 0;
        var allInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> HoldUntilAllInFlight()
        {
            // Every endpoint request waits for the others, so all states are rented at the same time.
            if (Interlocked.Increment(ref inFlight) == 2 * PerKind)
            {
                allInFlight.TrySetResult();
            }

            await allInFlight.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return "hello";
        }

        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapGet("/secure/{id}", (string id) => HoldUntilAllInFlight()).RequireToken();
            a.MapGet("/plain/{id}", (string id) => HoldUntilAllInFlight());
        }, configureBuilder: b => b.AddTokenValidator(static ctx => new(ctx.Token == "good" ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid())));

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var requests = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < PerKind; i++)
        {
            var valid = new HttpRequestMessage(HttpMethod.Get, $"/secure/valid-{i}");
            valid.Headers.Add("X-Esri-Authorization", "Bearer good");
            requests.Add(http.SendAsync(valid));
            requests.Add(http.GetAsync(new Uri($"/secure/missing-{i}", UriKind.Relative)));
            requests.Add(http.GetAsync(new Uri($"/plain/{i}", UriKind.Relative)));
        }

        var responses = await Task.WhenAll(requests);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(2 * PerKind);

        var seen = app.Observer.All;
        seen.Should().HaveCount(3 * PerKind);
        foreach (var observation in seen)
        {
            if (observation.Path.StartsWith("/secure/valid-", StringComparison.Ordinal))
            {
                observation.Should().Match<Observation>(o => o.StatusCode == 200 && o.Meaning == Status499Meaning.TokenRequired
                    && o.TokenOutcome == TokenOutcome.Accepted && o.TokenSource == TokenSource.EsriAuthorizationHeader);
            }
            else if (observation.Path.StartsWith("/secure/missing-", StringComparison.Ordinal))
            {
                observation.Should().Match<Observation>(o => o.StatusCode == 499 && o.Meaning == Status499Meaning.TokenRequired
                    && o.TokenOutcome == TokenOutcome.Missing && o.TokenSource == TokenSource.None);
            }
            else
            {
                observation.Should().Match<Observation>(o => o.StatusCode == 200 && o.Meaning == Status499Meaning.ClientClosedRequest
                    && o.TokenOutcome == TokenOutcome.NotChecked && o.Phase == ClientDisconnectPhase.None);
            }
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Feature_is_readable_in_the_apps_OnCompleted_callbacks()
    {
        var outer = new TaskCompletionSource<TokenOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new TaskCompletionSource<TokenOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/secure", (HttpContext c) =>
            {
                c.Response.OnCompleted(() =>
                {
                    inner.TrySetResult(c.Features.Get<IStatus499Feature>()?.TokenOutcome);
                    return Task.CompletedTask;
                });
                return "hello";
            }).RequireToken(),
            configureBuilder: b => b.AddTokenValidator(static ctx => new(ctx.Token == "good" ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid())),
            beforeStatus499: a => a.Use((c, next) =>
            {
                c.Response.OnCompleted(() =>
                {
                    outer.TrySetResult(c.Features.Get<IStatus499Feature>()?.TokenOutcome);
                    return Task.CompletedTask;
                });
                return next(c);
            }));

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure");
        request.Headers.Add("X-Esri-Authorization", "Bearer good");
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        (await inner.Task.WaitAsync(TimeSpan.FromSeconds(15))).Should().Be(TokenOutcome.Accepted);
        (await outer.Task.WaitAsync(TimeSpan.FromSeconds(15))).Should().Be(TokenOutcome.Accepted);
    }

    // An outer middleware that stops waiting for its next (a home-made timeout answering 504) completes the response
    // while the pipeline inside still runs. The state of that request must not go back to the pool until the
    // middleware is done with it, or another client's request would rent it and have it changed under it.
    [Fact]
    public async Task State_of_an_abandoned_pipeline_is_not_reused_by_another_request()
    {
        var releaseAbandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var abandonedFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondInHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var abandonedAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/abandoned", async () =>
                {
                    await releaseAbandoned.Task.WaitAsync(TimeSpan.FromSeconds(20));
                    return "late";
                });
                a.MapGet("/second", async (HttpContext c) =>
                {
                    var mine = c.Features.Get<IStatus499Feature>();
                    secondInHandler.TrySetResult();
                    await releaseSecond.Task.WaitAsync(TimeSpan.FromSeconds(20));
                    return ReferenceEquals(mine, c.Features.Get<IStatus499Feature>()) && mine!.Meaning == Status499Meaning.ClientClosedRequest
                        ? "own state"
                        : "state changed";
                });
            },
            beforeStatus499: a => a.Use(async (c, next) =>
            {
                if (c.Request.Path != "/abandoned")
                {
                    await next(c);
                    return;
                }

                var pipeline = next(c);
                _ = pipeline.ContinueWith(_ => abandonedFinished.TrySetResult(), TaskScheduler.Default);
                await Task.Yield();
                c.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                c.Response.OnCompleted(() =>
                {
                    abandonedAnswered.TrySetResult();
                    return Task.CompletedTask;
                });
            }));

        using var first = new HttpClient { BaseAddress = app.BaseAddress };
        using var second = new HttpClient { BaseAddress = app.BaseAddress };
        using (var abandoned = await first.GetAsync(new Uri("/abandoned", UriKind.Relative)))
        {
            abandoned.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        }

        await abandonedAnswered.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var secondResponse = second.GetStringAsync(new Uri("/second", UriKind.Relative));
        await secondInHandler.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // The abandoned pipeline ends while the second request is inside its handler.
        releaseAbandoned.TrySetResult();
        await abandonedFinished.Task.WaitAsync(TimeSpan.FromSeconds(15));
        releaseSecond.TrySetResult();

        (await secondResponse.WaitAsync(TimeSpan.FromSeconds(15))).Should().Be("own state");
        app.WarningsAndErrors.Should().BeEmpty();
    }
}
