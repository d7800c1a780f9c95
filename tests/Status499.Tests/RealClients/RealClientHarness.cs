using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.RealClients;

// Plumbing for the tests that drive real ArcGIS clients (tests/clients/*.mjs) against an app of this repository running
// as its own process (a sample or the test host): locating the repository and the app's build output, installing the
// Node clients once, starting and stopping the app, and running a script. Nothing here is skipped: a missing prerequisite fails with a message.
internal static class RealClientHarness
{
    private static readonly SemaphoreSlim SetupLock = new(1, 1);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ClientsDir => Path.Combine(RepoRoot, "tests", "clients");

    public static string DemoProjectDir => Path.Combine(RepoRoot, "samples", "Status499.Demo");

    public static string QuickStartProjectDir => Path.Combine(RepoRoot, "samples", "Status499.QuickStart");

    public static string GatewayProjectDir => Path.Combine(RepoRoot, "samples", "Status499.Gateway");

    public static string TestHostProjectDir => Path.Combine(RepoRoot, "tests", "testassets", "Status499.TestHost");

    public static string MapsSdkDist => Path.Combine(ClientsDir, "maps-sdk", "dist");

    /// <summary>Debian's Chromium (or <c>CHROMIUM_PATH</c>) for the Maps SDK page, or fails saying how to get it.</summary>
    public static string ChromiumPath()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Fail($"Chromium not found at {chromium}: install it (apt-get install chromium) or set CHROMIUM_PATH.");
        }

        return chromium;
    }

    /// <summary>Runs <c>npm ci</c> (node_modules missing) and, if asked, the Maps SDK build (dist missing, or older than its
    /// sources), once per process.</summary>
    public static async Task EnsureClientsAsync(bool mapsSdk)
    {
        await SetupLock.WaitAsync();
        try
        {
            // npm writes node_modules/.package-lock.json when an install completes.
            if (!File.Exists(Path.Combine(ClientsDir, "node_modules", ".package-lock.json")))
            {
                var npm = await ProcessRun.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], ClientsDir, new Dictionary<string, string?>(), TimeSpan.FromMinutes(10));
                if (npm.ExitCode != 0)
                {
                    Assert.Fail($"Setup failed: `npm ci` in {ClientsDir} {npm.Verdict}.\n{npm.Describe()}");
                }
            }

            if (mapsSdk && MapsSdkDistIsMissingOrStale())
            {
                var build = await ProcessRun.RunAsync("node", [Path.Combine("maps-sdk", "build.mjs")], ClientsDir, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5));
                if (build.ExitCode != 0)
                {
                    Assert.Fail($"Setup failed: `node maps-sdk/build.mjs` in {ClientsDir} {build.Verdict}.\n{build.Describe()}");
                }
            }
        }
        finally
        {
            SetupLock.Release();
        }
    }

    // dist is not in git: a checkout that built it before a change to the page's sources must build it again.
    private static bool MapsSdkDistIsMissingOrStale()
    {
        var builtApp = Path.Combine(MapsSdkDist, "app.js");
        var builtPage = Path.Combine(MapsSdkDist, "index.html");
        if (!File.Exists(builtApp) || !File.Exists(builtPage) || !Directory.Exists(Path.Combine(MapsSdkDist, "assets", "esri")))
        {
            return true;
        }

        var built = new[] { File.GetLastWriteTimeUtc(builtApp), File.GetLastWriteTimeUtc(builtPage) }.Min();
        var sources = Path.Combine(ClientsDir, "maps-sdk");
        return new[] { "app.mjs", "index.html", "build.mjs" }.Any(f => File.GetLastWriteTimeUtc(Path.Combine(sources, f)) > built)
            || File.GetLastWriteTimeUtc(Path.Combine(ClientsDir, "package-lock.json")) > built;
    }

    /// <summary>The newest build of a web app of this repository (with its runtimeconfig.json) under its project's bin.</summary>
    public static string FindBuiltDll(string projectDir)
    {
        var name = Path.GetFileName(projectDir) + ".dll";
        var bin = Path.Combine(projectDir, "bin");
        var found = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, name, SearchOption.AllDirectories)
                .Where(dll => File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException($"{name} (with its runtimeconfig.json) not found under {bin}: build Status499.sln first.");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Status499.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Status499.sln not found above {AppContext.BaseDirectory}");
    }
}

// A web app of this repository as a separate process (`dotnet <app>.dll --urls http://127.0.0.1:<free port>`), in
// Development unless the settings say otherwise, killed by process id on dispose.
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputBuffer _output;
    private readonly TemporaryDirectory _home;

    private SampleProcess(Process process, OutputBuffer output, string url, TemporaryDirectory home)
    {
        _process = process;
        _output = output;
        Url = url;
        _home = home;
    }

    public string Url { get; }

    public string Output => _output.ToString();

    /// <summary>The demo, samples/Status499.Demo.</summary>
    public static Task<SampleProcess> StartDemoAsync(IReadOnlyDictionary<string, string?> settings, int? port = null)
        => StartAsync(RealClientHarness.FindBuiltDll(RealClientHarness.DemoProjectDir), RealClientHarness.DemoProjectDir, settings, port);

    /// <summary>The real-client tests' host, tests/testassets/Status499.TestHost.</summary>
    public static Task<SampleProcess> StartTestHostAsync(IReadOnlyDictionary<string, string?> settings)
        => StartAsync(RealClientHarness.FindBuiltDll(RealClientHarness.TestHostProjectDir), RealClientHarness.TestHostProjectDir, settings);

    // Any web app of this repository built as a separate program (the samples, the test host).
    // On `port` when given (a restart where the last one listened), else on a free one.
    public static async Task<SampleProcess> StartAsync(string dll, string contentRoot, IReadOnlyDictionary<string, string?> settings, int? port = null)
    {
        var failures = new StringBuilder();
        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var url = $"http://127.0.0.1:{port ?? FreePort()}";
            // A home folder of its own: Data Protection keeps its key ring in ~/.aspnet, and what the app does (and logs)
            // must not depend on whether the machine running the tests has one.
            var home = new TemporaryDirectory();
            var env = new Dictionary<string, string?>(settings);
            env.TryAdd("ASPNETCORE_ENVIRONMENT", "Development");
            foreach (var (key, value) in new Dictionary<string, string?>
            {
                ["ASPNETCORE_CONTENTROOT"] = contentRoot,
                ["ASPNETCORE_URLS"] = null,
                ["ASPNETCORE_HTTP_PORTS"] = null,
                ["ASPNETCORE_HTTPS_PORTS"] = null,
                ["HTTP_PORTS"] = null,
                ["HTTPS_PORTS"] = null,
                ["DOTNET_NOLOGO"] = "1",
                ["HOME"] = home.Path,
            })
            {
                env[key] = value;
            }

            var output = new OutputBuffer();
            Process process;
            try
            {
                process = ProcessRun.Start("dotnet", [dll, "--urls", url, "--contentRoot", contentRoot], contentRoot, env, output);
            }
            catch
            {
                home.Dispose();
                throw;
            }

            var sample = new SampleProcess(process, output, url, home);
            try
            {
                if (await sample.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60)))
                {
                    return sample;
                }
            }
            catch
            {
                await sample.DisposeAsync();
                throw;
            }

            var how = process.HasExited ? $"exited with {process.ExitCode}" : "still running but not answering";
            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt} ({url}): {how}");
            await sample.DisposeAsync();
            failures.AppendLine(sample.Output);
        }

        throw new InvalidOperationException($"The sample ({dll}) did not start:\n{failures}");
    }

    private async Task<bool> WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Url + "/"));
                return true;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Win32Exception)
        {
            _output.Append($"[harness] stopping the sample (pid {_process.Id}): {e.Message}");
        }
        finally
        {
            _process.Dispose();
            _home.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

// One run of `node tests/clients/<script>.mjs`: exit code, output and the JSON line the script prints.
internal sealed class ClientScriptRun
{
    private ClientScriptRun(string script, ProcessRun.Result result, SampleProcess sample)
    {
        Script = script;
        Result = result;
        SampleOutput = sample.Output;
        var line = result.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (line is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                Json = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
            }
        }
    }

    public string Script { get; }

    public ProcessRun.Result Result { get; }

    public string SampleOutput { get; }

    public JsonElement? Json { get; }

    public static async Task<ClientScriptRun> RunAsync(string script, SampleProcess sample, IReadOnlyDictionary<string, string?> env, TimeSpan timeout)
    {
        var all = new Dictionary<string, string?>(env) { ["SAMPLE_URL"] = sample.Url };
        var result = await ProcessRun.RunAsync("node", [script], RealClientHarness.ClientsDir, all, timeout);
        return new ClientScriptRun(script, result, sample);
    }

    /// <summary>Fails unless the script exited 0 and printed <c>"ok":true</c>.</summary>
    public void ShouldBeOk()
    {
        if (Json is null)
        {
            Fail("it printed no JSON result line");
        }

        if (Result.ExitCode != 0 || !(Json!.Value.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True))
        {
            var failure = Json!.Value.TryGetProperty("failure", out var f) ? f.GetString() : null;
            Fail($"{Result.Verdict}, ok is not true{(failure is null ? "" : $": {failure}")}");
        }
    }

    /// <summary>The value at a dotted path of the JSON line (e.g. "noToken.bodyCode"), or fails naming the path.</summary>
    public JsonElement At(string path)
    {
        var current = Json ?? throw new InvalidOperationException("no JSON line");
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                Fail($"its JSON line has no `{path}`");
            }
        }

        return current;
    }

    public void Expect(string path, object expected)
    {
        var actual = At(path);
        var matches = expected switch
        {
            int i => actual.ValueKind == JsonValueKind.Number && actual.TryGetInt32(out var n) && n == i,
            bool b => actual.ValueKind == (b ? JsonValueKind.True : JsonValueKind.False),
            string s => actual.ValueKind == JsonValueKind.String && actual.GetString() == s,
            _ => throw new ArgumentException($"unsupported expected value {expected}", nameof(expected)),
        };
        if (!matches)
        {
            Fail($"`{path}` is {actual.GetRawText()}, expected {JsonSerializer.Serialize(expected)}");
        }
    }

    public void Fail(string why) => Assert.Fail(
        $"{Script}: {why}.\n"
        + $"--- {Script} stdout ---\n{Result.Stdout.Trim()}\n"
        + $"--- {Script} stderr ---\n{Result.Stderr.Trim()}\n"
        + $"--- sample output (last 15000 chars) ---\n{Tail(SampleOutput, 15_000)}");

    private static string Tail(string text, int max) => text.Length <= max ? text : "…" + text[^max..];
}

// Starting child processes with captured output; children are killed by process id.
internal static class ProcessRun
{
    public static Process Start(string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?> env, OutputBuffer output)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.AppendStdout(e.Data);
        process.ErrorDataReceived += (_, e) => output.AppendStderr(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start `{fileName}` (is it installed and on PATH?): {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?> env, TimeSpan timeout)
    {
        var output = new OutputBuffer();
        var command = $"{fileName} {string.Join(' ', args)}";
        var watch = Stopwatch.StartNew();
        using var process = Start(fileName, args, workingDirectory, env, output);
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        // WaitForExitAsync waits for the redirected streams to reach EOF too.
        return new Result(command, timedOut ? -1 : process.ExitCode, timedOut, timeout, watch.Elapsed, output.Stdout, output.Stderr);
    }

    internal sealed record Result(string Command, int ExitCode, bool TimedOut, TimeSpan Timeout, TimeSpan Elapsed, string Stdout, string Stderr)
    {
        public string Verdict => TimedOut
            ? $"timed out after {Timeout.TotalSeconds:0} s"
            : $"exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s";

        public string Describe() => $"$ {Command}\n--- stdout ---\n{Stdout.Trim()}\n--- stderr ---\n{Stderr.Trim()}";
    }
}

internal sealed class OutputBuffer
{
    private readonly ConcurrentQueue<string> _all = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public void AppendStdout(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            _stdout.Append(line).Append('\n');
        }

        _all.Enqueue(line);
    }

    public void AppendStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Append(line).Append('\n');
        }

        _all.Enqueue("[stderr] " + line);
    }

    public void Append(string line) => _all.Enqueue(line);

    public override string ToString() => string.Join('\n', _all);
}
