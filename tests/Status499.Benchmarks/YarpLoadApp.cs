namespace Status499.Benchmarks;

// Mode "yarp" of run-gateway-compare.sh: YARP alone, as its documentation starts it (AddReverseProxy().LoadFromConfig,
// MapReverseProxy), on the gateway sample's "ReverseProxy" section and host: no Status499, no token check.
public static class YarpLoadApp
{
    public static async Task RunAsync(string url, string upstream)
    {
        var builder = GatewayCompare.CreateProxyBuilder(url, upstream);
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        var app = builder.Build();
        GatewayCompare.MapGc(app);
        app.MapReverseProxy();
        await app.RunAsync();
    }
}
