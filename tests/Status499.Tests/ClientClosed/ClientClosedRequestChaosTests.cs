using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// Many keep-alive connections on real Kestrel, each sending requests until it dies at a chosen point: before the
// response, mid-upload to an endpoint, mid-form on a token route or generateToken (read by the library itself), or never. Per-connection state is reused across the requests of a connection, so this is
// where a leak between requests would show. The schedule is seeded; only the thread interleaving varies.
public sealed class ClientClosedRequestChaosTests
{
    private const int Connections = 40;
    private const int RequestsPerConnection = 6;
    private const int FormDeclared = 55_000;
    private const int FormSent = 5_000;

    [Fact]
    public async Task Random_disconnects_never_leak_between_requests_or_surface_as_errors()
    {
        var entered = new ConcurrentDictionary<string, Signal>();
        Signal EnteredFor(HttpContext context) => entered.GetOrAdd(context.Request.Headers["X-Connection"].ToString(), _ => new Signal());
        var formRead = new RequestBodyProbe(FormSent);
        var reached = 0;
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/fast", () => "fast");
                a.MapGet("/wait", async (HttpContext context) =>
                {
                    EnteredFor(context).Set();
                    await Signal.WhenCancelled(context.RequestAborted);
                    await context.Response.WriteAsync("late", CancellationToken.None);
                });
                a.MapPost("/upload", async (HttpContext context) =>
                {
                    EnteredFor(context).Set();
                    using var reader = new StreamReader(context.Request.Body);
                    return (await reader.ReadToEndAsync(context.RequestAborted)).Length;
                });
                a.MapPost("/secure-upload", () =>
                {
                    Interlocked.Increment(ref reached);
                    return "reached";
                }).RequireToken();
                a.MapArcGisGenerateToken();
            },
            configureBuilder: b => b.AddArcGisSignedTokens(o =>
            {
                o.AddUser("alice", "s3cret-Pa55word!");
            }),
            beforeStatus499: a => a.Use(formRead.InvokeAsync));

        var random = new Random(499);
        var plans = Enumerable.Range(0, Connections)
            .Select(_ => (Fast: random.Next(RequestsPerConnection), Ending: random.Next(5), Mode: random.Next(2) == 0 ? CloseMode.Fin : CloseMode.Reset))
            .ToList();

        // The seeded schedule resets mid-form on both form readers, among everything else.
        plans.Should().Contain(p => p.Ending == 2 && p.Mode == CloseMode.Reset).And.Contain(p => p.Ending == 3 && p.Mode == CloseMode.Reset);

        await Parallel.ForEachAsync(plans.Select((plan, index) => (plan, id: index.ToString(System.Globalization.CultureInfo.InvariantCulture))), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) =>
        {
            var (plan, id) = item;
            using var client = await RawHttpClient.ConnectAsync(app.Port);
            for (var i = 0; i < plan.Fast; i++)
            {
                await client.SendGetAsync("/fast");

                // The string result is sent chunked: read through the last chunk, so the next response starts clean.
                (await client.ReceiveUntilAsync("\r\n0\r\n\r\n")).Should().StartWith("HTTP/1.1 200").And.Contain("fast");
            }

            switch (plan.Ending)
            {
                case 0:
                    await client.SendAsync($"GET /wait HTTP/1.1\r\nHost: localhost\r\nX-Connection: {id}\r\n\r\n");
                    break;
                case 1:
                    await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: localhost\r\nX-Connection: {id}\r\nContent-Length: 100000\r\n\r\npartial");
                    break;
                case 2:
                case 3:
                    // The token check or generateToken reads the form; leave once it has read all that was sent.
                    var path = plan.Ending == 2 ? "/secure-upload" : "/arcgis/tokens/generateToken";
                    await client.SendAsync(FormUpload.Post(path, FormDeclared, FormUpload.Body(FormSent), probe: id));
                    await formRead.Reading(id).WaitAsync();
                    client.Close(plan.Mode);
                    return;
                default:
                    await client.SendAsync("GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                    (await client.ReceiveToEndAsync()).Should().StartWith("HTTP/1.1 200");
                    return;
            }

            // Leave once the handler runs: it waits for the abort, or reads a body that never comes.
            await entered.GetOrAdd(id, _ => new Signal()).WaitAsync();
            client.Close(plan.Mode);
        });

        var fast = plans.Sum(p => p.Fast) + plans.Count(p => p.Ending == 4);
        var aborted = plans.Count(p => p.Ending != 4);
        var generateToken = plans.Count(p => p.Ending == 3);
        (await Signal.EventuallyAsync(() => app.Observer.All.Count == fast + aborted)).Should().BeTrue($"every request is recorded ({app.Observer.All.Count} of {fast + aborted})");

        var seen = app.Observer.All;
        seen.Where(s => s.Path == "/fast").Should().HaveCount(fast).And.OnlyContain(s => s.StatusCode == 200 && s.EscapedException == null);
        seen.Where(s => s.Path != "/fast").Should().HaveCount(aborted)
            .And.OnlyContain(
                s => s.StatusCode == 499 && s.EscapedException == null,
                string.Join("; ", seen.Where(s => s.Path != "/fast" && (s.StatusCode != 499 || s.EscapedException != null)).Select(s => $"{s.Path} {s.StatusCode} {s.EscapedException}")));
        seen.Where(s => s.Path == "/secure-upload").Should().OnlyContain(s => s.Phase == ClientDisconnectPhase.RequestBody && s.TokenOutcome == TokenOutcome.NotChecked);
        reached.Should().Be(0);

        // generateToken is anonymous (meaning None): it answers 499 itself, outside Status499's client-closed counter.
        app.ClientClosedRequests.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(aborted - generateToken);
        app.TokenRejections.GetMeasurementSnapshot().Should().BeEmpty("a client that left sent no malformed request");

        // Kestrel drains or aborts each connection before it stops: only then has it said all it will say.
        (await Signal.EventuallyAsync(() => app.StoppedConnections == Connections)).Should().BeTrue($"every connection ends ({app.StoppedConnections} of {Connections})");
        app.WarningsAndErrors.Should().BeEmpty();
    }
}
