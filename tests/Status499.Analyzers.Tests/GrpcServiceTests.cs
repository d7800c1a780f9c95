using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>S499001 on gRPC service methods: overrides of a Grpc.Tools-generated base, with a ServerCallContext.</summary>
public class GrpcServiceTests
{
    // What Grpc.Tools generates for `service Greeter { rpc SayHello (M) returns (M); rpc SayHellos (M) returns (stream M); }`,
    // trimmed to what the analyzer sees.
    private const string Generated = """

        public static partial class Greeter
        {
            [Grpc.Core.BindServiceMethod(typeof(Greeter), "BindService")]
            public abstract partial class GreeterBase
            {
                public virtual Task<string> SayHello(string request, Grpc.Core.ServerCallContext context)
                    => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unimplemented, ""));

                public virtual Task SayHellos(string request, Grpc.Core.IServerStreamWriter<string> responseStream, Grpc.Core.ServerCallContext context)
                    => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unimplemented, ""));
            }

            public static void BindService(Grpc.Core.ServiceBinderBase serviceBinder, GreeterBase serviceImpl)
            {
            }
        }
        """;

    [Fact]
    public void The_tests_compile_against_Grpc_Core_Api()
        => Assert.Single(TestReferences.Grpc);

    [Fact]
    public Task A_unary_method_that_does_not_pass_the_call_token_is_flagged()
        => Verify.AnalyzerAsync("""
            public class GreeterService : Greeter.GreeterBase
            {
                private readonly HttpClient _client = new();

                public override async Task<string> SayHello(string request, Grpc.Core.ServerCallContext context)
                {
                    await {|#0:Task.Delay(1000)|};
                    return await {|#1:_client.GetStringAsync("http://127.0.0.1/" + request)|};
                }
            }
            """ + Generated,
            Verify.PassToken(0).WithArguments("Task.Delay", "'context.CancellationToken'"),
            Verify.PassToken(1).WithArguments("HttpClient.GetStringAsync", "'context.CancellationToken'"));

    [Fact]
    public Task A_server_streaming_method_that_waits_without_the_call_token_is_flagged()
        => Verify.AnalyzerAsync("""
            public class GreeterService : Greeter.GreeterBase
            {
                public override async Task SayHellos(string request, Grpc.Core.IServerStreamWriter<string> responseStream, Grpc.Core.ServerCallContext context)
                {
                    while (!context.CancellationToken.IsCancellationRequested)
                    {
                        await responseStream.WriteAsync("hello " + request);
                        await {|#0:Task.Delay(1000)|};
                    }
                }
            }
            """ + Generated,
            Verify.PassToken(0).WithArguments("Task.Delay", "'context.CancellationToken'"));

    [Fact]
    public Task The_code_fix_passes_the_call_token_by_the_context_parameter_name()
        => Verify.CodeFixAsync("""
            public class GreeterService : Greeter.GreeterBase
            {
                public override async Task<string> SayHello(string request, Grpc.Core.ServerCallContext callContext)
                {
                    await {|#0:Task.Delay(1000)|};
                    await using var file = File.OpenWrite("/tmp/x");
                    await {|#1:file.WriteAsync(new byte[1])|};
                    return request;
                }
            }
            """ + Generated, """
            public class GreeterService : Greeter.GreeterBase
            {
                public override async Task<string> SayHello(string request, Grpc.Core.ServerCallContext callContext)
                {
                    await Task.Delay(1000, callContext.CancellationToken);
                    await using var file = File.OpenWrite("/tmp/x");
                    await file.WriteAsync(new byte[1], callContext.CancellationToken);
                    return request;
                }
            }
            """ + Generated,
            Verify.PassToken(0).WithArguments("Task.Delay", "'callContext.CancellationToken'"),
            Verify.PassToken(1).WithArguments("FileStream.WriteAsync", "'callContext.CancellationToken'"));

    [Fact]
    public Task Methods_that_pass_a_token_and_methods_that_are_not_service_methods_are_not_flagged()
        => Verify.AnalyzerAsync("""
            public class GreeterService : Greeter.GreeterBase
            {
                public override async Task<string> SayHello(string request, Grpc.Core.ServerCallContext context)
                {
                    await Task.Delay(1000, context.CancellationToken);
                    await Task.Delay(1000, CancellationToken.None); // a decision, as everywhere
                    return request;
                }

                // Not an override of the generated base: a helper, left to CA2016.
                public async Task Helper(Grpc.Core.ServerCallContext context) => await Task.Delay(1000);
            }

            public abstract class SomethingElse
            {
                public abstract Task Run(Grpc.Core.ServerCallContext context);
            }

            public class NotAService : SomethingElse
            {
                public override async Task Run(Grpc.Core.ServerCallContext context) => await Task.Delay(1000);
            }
            """ + Generated);
}
