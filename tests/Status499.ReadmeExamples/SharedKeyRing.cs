using Microsoft.AspNetCore.DataProtection;

// docs/arcgis-server.md, "Signed tokens on several instances".
internal static class SharedKeyRing
{
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection()
            .SetApplicationName("maps")                                        // the same on every instance
            .PersistKeysToFileSystem(new DirectoryInfo("/mnt/shared/keys"));   // a folder every instance can write
        // or, with Microsoft.AspNetCore.DataProtection.StackExchangeRedis:
        //  .PersistKeysToStackExchangeRedis(ConnectionMultiplexer.Connect("redis:6379"), "DataProtection-Keys");
    }
}
