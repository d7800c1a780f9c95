using System.Diagnostics;

namespace Status499.Tests.Infrastructure;

// The servers the tests start as processes (redis-server, nginx) end the same way.
internal static class ChildProcess
{
    // Kills the process and whatever it started (nginx's worker outlives a killed master and keeps the port), waits for
    // it (bounded) and disposes it. Null: nothing running.
    public static async Task StopAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        process.Dispose();
    }
}
