using Microsoft.AspNetCore.DataProtection;
using Status499.Gateway;

namespace Status499.Benchmarks;

// Mode "gateway" of run-gateway-compare.sh: the gateway sample as its Program.cs starts it (AddStatus499Gateway,
// MapStatus499Gateway) on its appsettings.json, plus GET /gc. Its Data Protection keys are kept in the run's key
// directory, so the token the script minted here once stays valid for every later gateway and token-check process.
public static class GatewayLoadApp
{
    public static async Task RunAsync(string url, string upstream, string keyDirectory)
    {
        var builder = GatewayCompare.CreateProxyBuilder(url, upstream);
        builder.AddStatus499Gateway();
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        var app = builder.Build();
        GatewayCompare.MapGc(app);
        app.MapStatus499Gateway();
        await app.RunAsync();
    }
}
