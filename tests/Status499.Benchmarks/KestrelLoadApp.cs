using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Status499.Benchmarks;

// A minimal Kestrel app for wrk and the idle-connection measurement. Modes:
//   alone (or "without"): ASP.NET Core only;
//   empty: one middleware that does nothing but `await next(context)`, the floor of any awaiting middleware;
//   with: AddStatus499() (which also installs the token guard) and UseStatus499();
//   probe-aborted, probe-callbacks, probe-feature, probe-all: an empty middleware making one of the library's
//   framework calls per request (UseProbe; issue 22).
// Routes: /ok and /hello (sync), /async (the handler awaits once), /secure (a TokenRequired route in "with", validated by
// an allocation-free delegate; a plain endpoint otherwise). GET /gc answers the process's total allocated bytes, so a
// run's bytes per request are (after - before) / requests; GET /jit answers the methods compiled and ms spent compiling; GET /heap answers the managed heap after a full blocking GC.
public static class KestrelLoadApp
{
    public const string ValidToken = "good";

    public static async Task RunAsync(string[] args)
    {
        var mode = args.Length == 0 ? "with" : args[0] == "without" ? "alone" : args[0];
        var url = args.Length > 1 ? args[1] : "http://127.0.0.1:5099";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        if (mode == "with")
        {
            builder.Services.AddStatus499()
                .AddTokenValidator(static ctx => new(ctx.Token == ValidToken ? TokenValidatorResult.Valid() : TokenValidatorResult.Invalid()));
        }

        var app = builder.Build();
        if (mode == "with")
        {
            app.UseRouting();
            app.UseStatus499();
        }
        else if (mode == "empty")
        {
            app.Use(static async (HttpContext context, RequestDelegate next) => await next(context));
        }
        else if (mode.StartsWith("probe-", StringComparison.Ordinal))
        {
            // Issue 22: one of the library's per-request framework calls at a time, in an otherwise empty middleware.
            UseProbe(app, mode["probe-".Length..]);
        }

        app.MapGet("/ok", static () => "Hello");
        app.MapGet("/hello", static () => "Hello");
        app.MapGet("/async", static async () =>
        {
            await Task.Yield();
            return "Hello";
        });
        var secure = app.MapGet("/secure", static () => "Hello");
        if (mode == "with")
        {
            secure.RequireToken();
        }

        app.MapGet("/gc", static () => GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture));
        // The JIT's work so far (methods compiled, ms compiling, all tiers): a run's share of JIT is the delta (issue 22).
        app.MapGet("/jit", static () => string.Create(CultureInfo.InvariantCulture,
            $"{System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}"));
        app.MapGet("/heap", static () =>
        {
            for (var i = 0; i < 3; i++)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
            }

            return GC.GetTotalMemory(forceFullCollection: false).ToString(CultureInfo.InvariantCulture);
        });
        Console.WriteLine($"Listening on {url} ({mode})");
        await app.RunAsync();
    }

    // Probes (issue 22, docs/benchmarks.md): "aborted" registers on RequestAborted and disposes the registration (the
    // client-left clock); "callbacks" registers a no-op OnStarting and OnCompleted (the token guard); "feature" sets a
    // feature and removes it in OnCompleted (the request context's IStatus499Feature); "all" does the three.
    private static void UseProbe(WebApplication app, string probe)
    {
        var aborted = probe is "aborted" or "all";
        var callbacks = probe is "callbacks" or "all";
        var feature = probe is "feature" or "all";
        app.Use((HttpContext context, RequestDelegate next) =>
        {
            if (callbacks)
            {
                context.Response.OnStarting(static _ => Task.CompletedTask, context);
                context.Response.OnCompleted(static _ => Task.CompletedTask, context);
            }

            if (feature)
            {
                context.Features.Set(ProbeFeature.Instance);
                context.Response.OnCompleted(static c => { ((HttpContext)c).Features.Set<ProbeFeature>(null); return Task.CompletedTask; }, context);
            }

            if (!aborted)
            {
                return next(context);
            }

            var registration = context.RequestAborted.UnsafeRegister(static _ => { }, null);
            var task = next(context);
            if (task.IsCompletedSuccessfully)
            {
                registration.Dispose();
                return Task.CompletedTask;
            }

            return Awaited(task, registration);

            static async Task Awaited(Task task, CancellationTokenRegistration registration)
            {
                try
                {
                    await task;
                }
                finally
                {
                    registration.Dispose();
                }
            }
        });
    }

    private sealed class ProbeFeature
    {
        public static readonly ProbeFeature Instance = new();
    }
}
