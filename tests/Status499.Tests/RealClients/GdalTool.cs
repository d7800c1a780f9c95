namespace Status499.Tests.RealClients;

// Runs one of GDAL's command-line tools (Debian's gdal-bin: ogrinfo, ogr2ogr) as a user would, against the demo or
// through the gateway.
internal static class GdalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<ProcessRun.Result> RunAsync(string tool, string[] args, string? headers = null)
    {
        if (!File.Exists("/usr/bin/" + tool))
        {
            Assert.Fail($"/usr/bin/{tool} not found: install GDAL (apt-get install gdal-bin).");
        }

        return await ProcessRun.RunAsync(tool, args, Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["GDAL_HTTP_HEADERS"] = headers,
            // No proxy from the environment, no retries that would hide a refused request.
            ["GDAL_HTTP_PROXY"] = null,
            ["http_proxy"] = null,
            ["CPL_DEBUG"] = null,
        }, Timeout);
    }
}
