using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Status499.Tests.Infrastructure;

// A real nginx (Debian's package; ./test.sh installs it) in front of some HTTP backends, started by a test as its own
// process on a free port, with a generated configuration and every file it writes (pid, logs, temp files) in a
// temporary directory; killed with its worker by PID on dispose. Ready once its port accepts connections (nginx
// announces nothing on its standard output). A start that fails throws with nginx's error log.
public sealed class NginxServer : IAsyncDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<string> _output = [];
    private Process? _process;

    private NginxServer()
    {
    }

    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public string ConfigurationText { get; private set; } = string.Empty;

    private string ErrorLogPath => Path.Combine(_directory.Path, "error.log");

    // Starts nginx with the configuration the function returns for a port (the http block and the rest); the
    // pid, error_log and temp paths of the file's top are added here, inside the temporary directory.
    public static async Task<NginxServer> StartAsync(Func<int, string> httpBlock)
    {
        var server = new NginxServer();
        try
        {
            await server.StartProcessAsync(httpBlock);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    // The error log (and anything nginx wrote on stderr): what to read when a request through it failed.
    public string ErrorLog()
    {
        var log = File.Exists(ErrorLogPath) ? ReadShared(ErrorLogPath) : string.Empty;
        lock (_output)
        {
            return log + string.Join('\n', _output);
        }
    }

    public string AccessLog()
    {
        var path = Path.Combine(_directory.Path, "access.log");
        return File.Exists(path) ? ReadShared(path) : string.Empty;
    }

    private async Task StartProcessAsync(Func<int, string> httpBlock)
    {
        // The port is free when asked; another process could take it before nginx binds, so try a few.
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            var dir = _directory.Path;
            // Run as the current user: as root, nginx's workers would otherwise switch to "nobody", who cannot enter
            // this 0700 directory for the temp files; as anyone else the user directive must be absent.
            var user = Environment.IsPrivilegedProcess ? $"user {Environment.UserName};\n" : string.Empty;
            ConfigurationText = $$"""
                {{user}}worker_processes 1;
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log info;
                events { worker_connections 256; }
                http {
                    access_log {{dir}}/access.log;
                    client_body_temp_path {{dir}}/client_body;
                    proxy_temp_path {{dir}}/proxy;
                    fastcgi_temp_path {{dir}}/fastcgi;
                    uwsgi_temp_path {{dir}}/uwsgi;
                    scgi_temp_path {{dir}}/scgi;
                {{httpBlock(Port)}}
                }
                """;
            var configPath = Path.Combine(dir, "nginx.conf");
            await File.WriteAllTextAsync(configPath, ConfigurationText);

            // -e: the error log from the first line on (before the configuration is read nginx would open the
            // package's /var/log/nginx/error.log); -p: the prefix for relative paths; daemon off: this process is nginx's master.
            var start = new ProcessStartInfo("nginx")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-e", ErrorLogPath, "-p", dir, "-c", configPath, "-g", "daemon off;" })
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                _process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("nginx is not installed: apt-get install nginx (./test.sh does).", ex);
            }

            _process.OutputDataReceived += OnOutput;
            _process.ErrorDataReceived += OnOutput;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();

            if (await ListensAsync(_process))
            {
                return;
            }

            var log = ErrorLog();
            await StopProcessAsync();
            if (attempt >= 3 || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("nginx did not start listening:\n" + log + "\n" + ConfigurationText);
            }

            File.Delete(ErrorLogPath);
        }
    }

    // nginx binds its port before it forks the worker, and says nothing when it has: try to connect, bounded, and
    // stop trying as soon as the process exits (a bad configuration, a port taken).
    private async Task<bool> ListensAsync(Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _directory.Dispose();
    }

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
    }

    private async Task StopProcessAsync()
    {
        var process = _process;
        _process = null;
        await ChildProcess.StopAsync(process);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
