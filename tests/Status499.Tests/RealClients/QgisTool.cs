using System.Text.Json;

namespace Status499.Tests.RealClients;

// Runs tests/clients/qgis/read-layer.py with Debian's QGIS (python3-qgis, qgis-providers): it adds an ArcGIS
// feature layer with the arcgisfeatureserver provider, the token (if any) in an EsriToken authentication
// configuration, headless and in a throwaway profile, and prints what QGIS made of it as one JSON line.
internal static class QgisTool
{
    private const string Python = "/usr/bin/python3";
    private const string ProviderLibrary = "/usr/lib/qgis/plugins/libprovider_arcgisfeatureserver.so";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Loads <paramref name="layerUrl"/> (…/FeatureServer/0) in QGIS, with <paramref name="token"/> in an EsriToken auth config if given.</summary>
    public static Task<QgisLayerRead> ReadLayerAsync(string layerUrl, string? token)
        => RunAsync(layerUrl, new Dictionary<string, string?> { ["ESRI_TOKEN"] = token });

    /// <summary>Loads <paramref name="layerUrl"/> in QGIS with a username and password in a Basic auth config (HTTP Basic).</summary>
    public static Task<QgisLayerRead> ReadLayerWithBasicAuthAsync(string layerUrl, string username, string password)
        => RunAsync(layerUrl, new Dictionary<string, string?> { ["BASIC_USER"] = username, ["BASIC_PASSWORD"] = password });

    private static async Task<QgisLayerRead> RunAsync(string layerUrl, Dictionary<string, string?> credentials)
    {
        if (!File.Exists(ProviderLibrary))
        {
            Assert.Fail($"{ProviderLibrary} not found: install QGIS's Python bindings and providers (apt-get install python3-qgis qgis-providers).");
        }

        // Debian's python3 by its full path (a pyenv or venv python3 on PATH has no qgis module); credentials go
        // through the environment, never the command line, which failure messages print.
        var env = new Dictionary<string, string?>(credentials)
        {
            ["LAYER_URL"] = layerUrl,
            ["PYTHONPATH"] = null,
            ["PYTHONHOME"] = null,
            ["http_proxy"] = null,
            ["HTTP_PROXY"] = null,
        };
        var run = await ProcessRun.RunAsync(Python, [Path.Combine(RealClientHarness.ClientsDir, "qgis", "read-layer.py")], Path.GetTempPath(), env, Timeout);
        return QgisLayerRead.From(run);
    }
}

// What read-layer.py printed: whether QGIS found the layer valid, its feature count and the NAME of each feature it
// read, and the provider's errors (QGIS's words for the server's ArcGIS error body, e.g. "Error 499: Token Required").
internal sealed record QgisLayerRead(ProcessRun.Result Run, bool Valid, int? FeatureCount, string[] Names, string[] Errors)
{
    public static QgisLayerRead From(ProcessRun.Result run)
    {
        var line = run.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (run.ExitCode != 0 || line is null)
        {
            Assert.Fail($"qgis/read-layer.py {run.Verdict} without its JSON line.\n{run.Describe()}");
        }

        using var doc = JsonDocument.Parse(line!);
        var json = doc.RootElement;
        return new QgisLayerRead(
            run,
            json.GetProperty("valid").GetBoolean(),
            json.GetProperty("featureCount").ValueKind == JsonValueKind.Number ? json.GetProperty("featureCount").GetInt32() : null,
            json.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray(),
            json.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    /// <summary>The run's command and output, for assertion messages (the token is not in either).</summary>
    public override string ToString() => Run.Describe();
}
