using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Status499.Gateway;

// The gateway's token opens the gateway, not the service behind it: it is taken off every forwarded request, from every
// place Status499 reads one (TokenReader: the query string, X-Esri-Authorization, Authorization, the token field of a
// urlencoded POST body, the cookie of Status499:Token:CookieName), so an upstream, its logs and whoever reads them never
// hold a credential they could replay against the gateway. A service token of the gateway's own, for a cluster with
// credentials, is added after these transforms, on the socket's side (UpstreamTokenHandler).
internal static class GatewayTokenRemoval
{
    public static void Apply(TransformBuilderContext context)
    {
        context.AddQueryRemoveKey("token");
        context.AddRequestHeaderRemove("X-Esri-Authorization");
        context.AddRequestHeaderRemove("Authorization");

        var token = context.Services.GetRequiredService<IOptions<Status499Options>>().Value.Token;
        var formTokenRemoval = new GatewayFormTokenRemoval(token.MaxFormLength);
        context.AddRequestTransform(formTokenRemoval.ApplyAsync);
        if (token.CookieName is { } cookieName)
        {
            var cookieTokenRemoval = new GatewayCookieTokenRemoval(cookieName);
            context.AddRequestTransform(cookieTokenRemoval.ApplyAsync);
        }
    }
}
