using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Status499.Benchmarks -- --filter '*'            (BenchmarkDotNet)
// dotnet run -c Release --project tests/Status499.Benchmarks -- kestrel [alone|empty|with] (app for wrk; see docs/benchmarks.md)
// dotnet run -c Release --project tests/Status499.Benchmarks -- idle-connections <host> <port> <n> <path> [token]
// dotnet run -c Release --project tests/Status499.Benchmarks -- token-lengths           (signed token lengths)
// dotnet run -c Release --project tests/Status499.Benchmarks -- gateway-compare <role> ... (run-gateway-compare.sh's processes)
if (args.Length > 0 && args[0] == "kestrel")
{
    await Status499.Benchmarks.KestrelLoadApp.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "idle-connections")
{
    await Status499.Benchmarks.IdleConnections.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "gateway-compare")
{
    await Status499.Benchmarks.GatewayCompare.RunAsync(args.Skip(1).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "token-lengths")
{
    Status499.Benchmarks.SignedTokenBenchmarks.PrintTokenLengths();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Status499.Benchmarks.MiddlewareBenchmarks).Assembly).Run(args);
