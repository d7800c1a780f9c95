using System.Text;
using Grpc.Core;

namespace Status499.Tests.Grpc;

// What Grpc.Tools generates for a small .proto, written by hand so the tests need no protoc:
//   package status499.test; service Probe { rpc Echo (M) returns (M); rpc Honour (M) returns (M);
//   rpc Ignore (M) returns (M); rpc Stream (M) returns (stream M); }
// with a UTF-8 string as the message. Grpc.AspNetCore finds BindService through [BindServiceMethod], as it does for
// generated services; the client calls the same Method<,> objects through a CallInvoker.
public static class Probe
{
    public const string ServiceName = "status499.test.Probe";

    private static readonly Marshaller<string> Utf8 = Marshallers.Create(
        static value => Encoding.UTF8.GetBytes(value),
        static bytes => Encoding.UTF8.GetString(bytes));

    public static readonly Method<string, string> EchoMethod = new(MethodType.Unary, ServiceName, "Echo", Utf8, Utf8);

    public static readonly Method<string, string> HonourMethod = new(MethodType.Unary, ServiceName, "Honour", Utf8, Utf8);

    public static readonly Method<string, string> IgnoreMethod = new(MethodType.Unary, ServiceName, "Ignore", Utf8, Utf8);

    public static readonly Method<string, string> StreamMethod = new(MethodType.ServerStreaming, ServiceName, "Stream", Utf8, Utf8);

    [BindServiceMethod(typeof(Probe), nameof(BindService))]
    public abstract class ProbeBase
    {
        public virtual Task<string> Echo(string request, ServerCallContext context)
            => throw new RpcException(new Status(StatusCode.Unimplemented, string.Empty));

        public virtual Task<string> Honour(string request, ServerCallContext context)
            => throw new RpcException(new Status(StatusCode.Unimplemented, string.Empty));

        public virtual Task<string> Ignore(string request, ServerCallContext context)
            => throw new RpcException(new Status(StatusCode.Unimplemented, string.Empty));

        public virtual Task Stream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context)
            => throw new RpcException(new Status(StatusCode.Unimplemented, string.Empty));
    }

    public static void BindService(ServiceBinderBase binder, ProbeBase service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(EchoMethod, service is null ? null : new UnaryServerMethod<string, string>(service.Echo));
        binder.AddMethod(HonourMethod, service is null ? null : new UnaryServerMethod<string, string>(service.Honour));
        binder.AddMethod(IgnoreMethod, service is null ? null : new UnaryServerMethod<string, string>(service.Ignore));
        binder.AddMethod(StreamMethod, service is null ? null : new ServerStreamingServerMethod<string, string>(service.Stream));
    }
}
