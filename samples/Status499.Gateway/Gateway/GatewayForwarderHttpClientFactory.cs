using Yarp.ReverseProxy.Forwarder;

namespace Status499.Gateway;

// YARP's HTTP client per cluster, with the service-token handler in front of the socket for clusters that have
// credentials (Gateway:Upstreams). WrapHandler is YARP's hook for exactly this (ForwarderHttpClientFactory).
internal sealed class GatewayForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    private readonly UpstreamTokenCache _tokens;

    public GatewayForwarderHttpClientFactory(UpstreamTokenCache tokens, ILogger<ForwarderHttpClientFactory> logger)
        : base(logger)
        => _tokens = tokens;

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
        => _tokens.HasCredentials(context.ClusterId) ? new UpstreamTokenHandler(context.ClusterId, _tokens, handler) : handler;
}
