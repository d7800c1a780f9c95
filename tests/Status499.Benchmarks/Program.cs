using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Status499.Benchmarks -- --filter '*'            (BenchmarkDotNet)
// dotnet run -c Release --project tests/Status499.Benchmarks -- kestrel [with|without]  (app for wrk; see docs/benchmarks.md)
if (args.Length > 0 && args[0] == "kestrel")
{
    await Status499.Benchmarks.KestrelLoadApp.RunAsync(args.Skip(1).ToArray());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Status499.Benchmarks.MiddlewareBenchmarks).Assembly).Run(args);
