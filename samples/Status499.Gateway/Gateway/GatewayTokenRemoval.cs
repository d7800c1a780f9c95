using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Status499.Gateway;

// The gateway's token opens the gateway, not the service behind it: it is taken off every forwarded request (query
// string and headers, the token sources of the "Status499" section), so an upstream, its logs and whoever reads them
// never hold a credential they could replay against the gateway. A token sent in a POST form body is forwarded as is:
// rewriting bodies is out of scope (docs/gateway.md).
internal static class GatewayTokenRemoval
{
    public static void Apply(TransformBuilderContext context)
    {
        context.AddQueryRemoveKey("token");
        context.AddRequestHeaderRemove("X-Esri-Authorization");
        context.AddRequestHeaderRemove("Authorization");
    }
}
