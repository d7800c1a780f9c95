using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;

namespace Status499.Gateway;

// What several instances must share to be one gateway: the Data Protection key ring (a token minted on one instance
// is accepted by every other) and the IDistributedCache behind generateToken's lockout (a lockout started on one holds
// on all). Both go to one Redis when Gateway:Redis is set; otherwise the instance keeps them to itself. The
// Gateway:RateLimit counts use the same connection (GatewayRateLimit).
internal static class GatewaySharedState
{
    public static void Add(IServiceCollection services, GatewayOptions options)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(options.ApplicationName);
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Redis);

        // Start while Redis is down, and reconnect by itself when it returns.
        configuration.AbortOnConnectFail = false;

        // While Redis is down, a command fails at once instead of waiting in the backlog for the sync timeout: the
        // lockout check then refuses generateToken (fail closed) with its ArcGIS error body without holding the request.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // One connection per instance, owned (and disposed) by the container.
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));

        var keyRing = new RedisKey(options.RedisKeyPrefix + "DataProtection-Keys");
        dataProtection.Services.AddOptions<KeyManagementOptions>()
            .Configure<IConnectionMultiplexer>((o, redis) => o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), keyRing));

        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
            .Configure<IConnectionMultiplexer>((o, redis) =>
            {
                o.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
                o.InstanceName = options.RedisKeyPrefix;
            });
    }
}
