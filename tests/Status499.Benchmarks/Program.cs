using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Status499.Benchmarks -- --filter '*'            (BenchmarkDotNet)
// dotnet run -c Release --project tests/Status499.Benchmarks -- kestrel [with|without]  (app for wrk; see docs/benchmarks.md)
// dotnet run -c Release --project tests/Status499.Benchmarks -- token-lengths           (signed token lengths)
if (args.Length > 0 && args[0] == "kestrel")
{
    await Status499.Benchmarks.KestrelLoadApp.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "token-lengths")
{
    Status499.Benchmarks.SignedTokenBenchmarks.PrintTokenLengths();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Status499.Benchmarks.MiddlewareBenchmarks).Assembly).Run(args);
