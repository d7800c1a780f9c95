using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Status499.Tests.Infrastructure;

// A handler that ignores RequestAborted, and the client that leaves it at a known moment. The handler watches the
// token only to tell the test when the server noticed the client leave, and runs until the test releases it: the test
// controls when the client leaves and when the handler ends, and measures when the server noticed (a busy machine
// delays that), so signals can be bounded by what the test measured instead of by a fixed time.
public sealed class IgnoringHandler
{
    // How long after the handler entered the client leaves.
    public const int LeaveAfterEnteredMs = 400;

    // How long the handler runs on after the server noticed the client left: the wasted work.
    public const int WorkAfterNoticedMs = 1500;

    // Task.Delay's timer may fire a few milliseconds early.
    public const int TimerSlackMs = 10;

    private readonly Signal _entered = new();
    private readonly Signal _noticed = new();
    private readonly Signal _released = new();

    public async Task RunAsync(HttpContext context)
    {
        context.RequestAborted.Register(_noticed.Set);
        _entered.Set();
        await _released.WaitAsync();
        await context.Response.WriteAsync("late", CancellationToken.None);
    }

    // Over HTTP/1.1: sends GET path on a raw socket and resets the connection.
    public async Task<LeavingMoments> ResetAndReleaseAsync(int port, string path)
    {
        using var client = await RawHttpClient.ConnectAsync(port);
        return await LeaveAndReleaseAsync(() => client.SendGetAsync(path), () =>
        {
            client.Close(CloseMode.Reset);
            return Task.CompletedTask;
        });
    }

    // Sends, leaves LeaveAfterEnteredMs after the handler entered, waits until the server noticed, lets the handler
    // run on WorkAfterNoticedMs, releases it; every moment measured from just before the request was sent.
    public async Task<LeavingMoments> LeaveAndReleaseAsync(Func<Task> send, Func<Task> leave)
    {
        var clock = Stopwatch.StartNew();
        await send();
        await _entered.WaitAsync();
        var enteredMs = clock.Elapsed.TotalMilliseconds;
        await Task.Delay(LeaveAfterEnteredMs); // the moment under test, not a synchronisation
        await leave();
        var leftMs = clock.Elapsed.TotalMilliseconds;
        await _noticed.WaitAsync();
        var noticedMs = clock.Elapsed.TotalMilliseconds;
        await Task.Delay(WorkAfterNoticedMs); // the wasted work under test, not a synchronisation
        var releasedMs = clock.Elapsed.TotalMilliseconds;
        _released.Set();
        return new LeavingMoments(clock, enteredMs, leftMs, noticedMs, releasedMs);
    }
}
