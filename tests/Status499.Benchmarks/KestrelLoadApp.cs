using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Status499.Benchmarks;

// A minimal Kestrel app for wrk: "with" puts UseStatus499() in front of the endpoint, "without" does not.
// GET /gc answers the process's total allocated bytes, so a run's bytes per request are (after - before) / requests.
public static class KestrelLoadApp
{
    public static async Task RunAsync(string[] args)
    {
        var withStatus499 = args.Length == 0 || args[0] != "without";
        var url = args.Length > 1 ? args[1] : "http://127.0.0.1:5099";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        if (withStatus499)
        {
            builder.Services.AddStatus499();
        }

        var app = builder.Build();
        if (withStatus499)
        {
            app.UseRouting();
            app.UseStatus499();
        }

        app.MapGet("/hello", static () => "Hello");
        app.MapGet("/gc", static () => GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"Listening on {url} ({(withStatus499 ? "with" : "without")} Status499)");
        await app.RunAsync();
    }
}
