using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Status499.Tests.Infrastructure;

// A real redis-server (Debian's package; .ci/run installs it) started for one test class on a free port, in memory
// only, and killed afterwards. Ready once the server itself says so on its standard output.
public sealed class RedisServer : IAsyncLifetime
{
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    public Task InitializeAsync() => StartAsync(samePort: false);

    // Stops the server (an outage), for a test of what its clients do meanwhile.
    public Task StopAsync() => StopProcessAsync();

    // Starts it again on the same port, empty: its clients reconnect by themselves.
    public Task RestartAsync() => StartAsync(samePort: true);

    private async Task StartAsync(bool samePort)
    {
        // The port is free when asked; another process could take it before redis binds, so try a few (a new port
        // each time, unless the server must come back where its clients expect it).
        for (var attempt = 0; ; attempt++)
        {
            Port = samePort ? Port : FreePort();
            var ready = _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = new ProcessStartInfo("redis-server")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("redis-server is not installed: apt-get install redis-server (.ci/run does).", ex);
            }

            _process.OutputDataReceived += OnOutput;
            _process.ErrorDataReceived += OnOutput;
            _process.EnableRaisingEvents = true;
            _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited: " + Output()));
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && !samePort)
            {
                await StopProcessAsync();
                lock (_output)
                {
                    _output.Clear();
                }
            }
        }
    }

    public Task DisposeAsync() => StopProcessAsync();

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(e.Data);
        }

        if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    private async Task StopProcessAsync()
    {
        var process = _process;
        _process = null;
        await ChildProcess.StopAsync(process);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
