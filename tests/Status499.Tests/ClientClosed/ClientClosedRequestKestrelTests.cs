using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// Real Kestrel on 127.0.0.1, real sockets that really close (FIN) or reset (RST).
public sealed class ClientClosedRequestKestrelTests
{
    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Handler_that_honours_the_token_is_recorded_as_499(CloseMode mode)
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/slow", async (CancellationToken ct) =>
        {
            entered.Set();
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/slow?token=secret-in-query");
            await entered.WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull("the abort-caused OperationCanceledException is swallowed");
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        var duration = await app.WaitForRecordedDurationTagsAsync();
        duration["http.response.status_code"].Should().Be(499);
        // Not an error in the hosting metric either, on .NET 8, 9 and 10 alike (this test runs on each).
        duration.Should().NotContainKey("error.type");
        AssertSignals(app, "handler", "/slow");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error, "a client leaving is not an error");
        // Status499's own events never carry the query string (the hosting log line does; docs/client-closed.md).
        app.Logs.GetSnapshot().Where(r => r.Category!.StartsWith("Status499", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.NotContain(r => r.Message.Contains("secret-in-query"));
    }

    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Handler_that_ignores_the_token_and_writes_200_is_recorded_as_499(CloseMode mode)
    {
        var entered = new Signal();
        var wrote = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/ignores", async (HttpContext context) =>
        {
            entered.Set();
            await Signal.WhenCancelled(context.RequestAborted);
            await context.Response.WriteAsync("written into a closed connection", CancellationToken.None);
            wrote.Set();
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/ignores");
            await entered.WaitAsync();
            client.Close(mode);
        }

        await wrote.WaitAsync();
        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.Handler);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        AssertSignals(app, "handler", "/ignores");

        // UseHttpLogging() logs the status when the response starts: it must already read 499 then.
        app.Logs.GetSnapshot().Should().Contain(r => r.Category == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && r.Message.Contains("StatusCode: 499"));
    }

    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Handler_that_ignores_the_token_and_returns_a_result_is_recorded_as_499(CloseMode mode)
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/result", async (HttpContext context) =>
        {
            entered.Set();
            await Signal.WhenCancelled(context.RequestAborted);
            return Results.Ok(new { done = true });
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/result");
            await entered.WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        AssertSignals(app, "handler", "/result");
    }

    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Client_that_leaves_while_uploading_the_body_is_recorded_as_499(CloseMode mode)
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapPost("/upload", async (HttpContext context) =>
        {
            // Read what the client sent so far, then keep reading: the next read is the one the disconnect breaks.
            var buffer = new byte[200_000];
            var read = await context.Request.Body.ReadAsync(buffer);
            entered.Set();
            while (read < buffer.Length)
            {
                var n = await context.Request.Body.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read;
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendAsync("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\npartial body");
            await entered.WaitAsync();
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(499);
        seen.EscapedException.Should().BeNull();
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        seen.Phase.Should().Be(ClientDisconnectPhase.RequestBody);
        AssertSignals(app, "request_body", "/upload");
    }

    [Theory]
    [InlineData(CloseMode.Fin)]
    [InlineData(CloseMode.Reset)]
    public async Task Client_that_leaves_after_the_first_chunk_keeps_the_status_it_was_sent(CloseMode mode)
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/stream", async (HttpContext context) =>
        {
            context.Response.StatusCode = 206;
            await context.Response.WriteAsync("first chunk\n");
            await context.Response.Body.FlushAsync();
            await Signal.WhenCancelled(context.RequestAborted);
            await context.Response.WriteAsync("second chunk\n", context.RequestAborted);
        }));

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/stream");
            (await client.ReceiveUntilAsync("first chunk")).Should().StartWith("HTTP/1.1 206");
            client.Close(mode);
        }

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(206);
        seen.EscapedException.Should().BeNull();
        seen.Phase.Should().Be(ClientDisconnectPhase.Response);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(206);
        AssertSignals(app, "response", "/stream");
    }

    [Fact]
    public async Task Request_that_completes_is_untouched_and_adds_no_signal()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/ok", () => "ok"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        (await http.GetStringAsync("/ok")).Should().Be("ok");

        var seen = await app.Observer.WaitAsync();
        seen.StatusCode.Should().Be(200);
        seen.Phase.Should().Be(ClientDisconnectPhase.None);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(200);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Fact]
    public async Task Real_exception_not_caused_by_an_abort_propagates_unchanged()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/boom", string () => throw new InvalidOperationException("real failure")));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var response = await http.GetAsync("/boom");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.InternalServerError);
        var seen = await app.Observer.WaitAsync();
        seen.EscapedException.Should().BeOfType<InvalidOperationException>();
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Fact]
    public async Task Cancellation_not_caused_by_the_client_propagates_unchanged()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/cancelled", string () => throw new OperationCanceledException("server-side cancellation")));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var response = await http.GetAsync("/cancelled");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.InternalServerError);
        (await app.Observer.WaitAsync()).EscapedException.Should().BeOfType<OperationCanceledException>();
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client is still there");
    }

    [Fact]
    public async Task Disabled_route_is_left_to_the_framework()
    {
        var entered = new Signal();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/raw", async (CancellationToken ct) =>
        {
            entered.Set();
            await Task.Delay(Timeout.Infinite, ct);
        }).DisableStatus499());

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/raw");
            await entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        var seen = await app.Observer.WaitAsync();
        seen.EscapedException.Should().BeAssignableTo<OperationCanceledException>("Status499 does not touch a disabled route");
        seen.Meaning.Should().Be(Status499Meaning.None);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Fact]
    public async Task Exception_handler_and_hosting_log_and_trace_see_the_499()
    {
        var entered = new Signal();
        var exceptionHandlerRan = false;
        var events = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                foreach (var e in activity.Events)
                {
                    events.Add($"{activity.TraceId} {e.Name} {e.Tags.FirstOrDefault(t => t.Key == "status499.phase").Value} {activity.GetTagItem("status499.phase")}");
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        System.Diagnostics.ActivityTraceId? traceId = null;

        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                // The listener is process-wide: tell this request's Activity from other tests' ones.
                traceId = System.Diagnostics.Activity.Current?.TraceId;
                entered.Set();
                await Task.Delay(Timeout.Infinite, ct);
            }),
            beforeStatus499: a => a.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = _ =>
                {
                    exceptionHandlerRan = true;
                    return Task.CompletedTask;
                },
            }),
            services: s => s.AddProblemDetails());

        using (var client = await RawHttpClient.ConnectAsync(app.Port))
        {
            await client.SendGetAsync("/slow");
            await entered.WaitAsync();
            client.Close(CloseMode.Reset);
        }

        (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);
        (await app.WaitForRecordedDurationStatusAsync()).Should().Be(499);
        exceptionHandlerRan.Should().BeFalse("the abort never surfaces as an exception");
        (await Signal.EventuallyAsync(() => app.Logs.GetSnapshot().Any(r => r.Category == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && r.Message.StartsWith("Request finished", StringComparison.Ordinal) && r.Message.Contains(" - 499 "))))
            .Should().BeTrue("the hosting log line reads the status when the request ends");
        traceId.Should().NotBeNull();
        (await Signal.EventuallyAsync(() => events.Contains($"{traceId} status499.client_closed handler handler")))
            .Should().BeTrue("the request's Activity carries the event when it stops");
    }

    [Fact]
    public async Task W3C_access_log_records_499()
    {
        var directory = Directory.CreateTempSubdirectory("status499-w3c-");
        try
        {
            var entered = new Signal();
            await using (var app = await TestApp.StartAsync(
                a => a.MapGet("/ignores", async (HttpContext context) =>
                {
                    entered.Set();
                    await Signal.WhenCancelled(context.RequestAborted);
                    await context.Response.WriteAsync("late", CancellationToken.None);
                }),
                services: s => s.AddW3CLogging(o =>
                {
                    o.LogDirectory = directory.FullName;
                    o.FlushInterval = TimeSpan.FromMilliseconds(50);
                    o.LoggingFields = W3CLoggingFields.Method | W3CLoggingFields.UriStem | W3CLoggingFields.ProtocolStatus;
                }),
                beforeStatus499: a => a.UseW3CLogging()))
            {
                using (var client = await RawHttpClient.ConnectAsync(app.Port))
                {
                    await client.SendGetAsync("/ignores");
                    await entered.WaitAsync();
                    client.Close(CloseMode.Reset);
                }

                (await app.Observer.WaitAsync()).StatusCode.Should().Be(499);

                // The W3C logger writes from a background queue: wait until the line is on disk.
                (await WaitForAccessLogLinesAsync(directory)).Should().ContainSingle().Which.Should().Be("GET /ignores 499");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<List<string>> WaitForAccessLogLinesAsync(DirectoryInfo directory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var lines = directory.GetFiles("*.txt")
                .SelectMany(f =>
                {
                    using var stream = new FileStream(f.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    using var reader = new StreamReader(stream);
                    return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                })
                .Where(l => !l.StartsWith('#'))
                .ToList();
            if (lines.Count > 0 || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }

    private static void AssertSignals(TestApp app, string phase, string route)
    {
        var measurement = app.ClientClosedRequests.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measurement.Value.Should().Be(1);
        measurement.Tags["status499.phase"].Should().Be(phase);
        measurement.Tags.Should().NotContainKey("status499.disconnect", "the phase alone says when the client left");
        measurement.Tags["status499.meaning"].Should().Be("client_closed_request");
        measurement.Tags["http.route"].Should().Be(route);
        measurement.Tags["http.request.method"].Should().NotBeNull();

        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ClientClosedRequest").Subject;
        record.Level.Should().Be(LogLevel.Information);
        record.Id.Id.Should().Be(1);
        record.Message.Should().Contain($"in the {phase} phase");
        record.Message.Should().Contain(route).And.NotContain("?");
    }
}
