using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Status499.Benchmarks;

// Mode "nginx" of run-gateway-compare.sh: the endpoint nginx's auth_request asks before it proxies a request
// (http://nginx.org/en/docs/http/ngx_http_auth_request_module.html): 204 lets the request through, 401 refuses it.
// It checks the gateway's token with Status499's validator (AddArcGisSignedTokens) on the gateway's key ring and
// Data Protection application name, so the token the gateway minted is valid here; what an ops team would build
// to put that token in front of a service with nginx. It reads the token from X-Esri-Authorization (Bearer), the
// header the benchmark sends in every mode.
public static class TokenCheckApp
{
    public const string CheckPath = "/check";

    public static async Task RunAsync(string url, string keyDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddDataProtection()
            .SetApplicationName(GatewayCompare.SampleConfiguration()["Gateway:ApplicationName"] ?? "Status499.Gateway")
            .PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        builder.Services.AddStatus499().AddArcGisSignedTokens(o => o.AddUser(GatewayCompare.Username, GatewayCompare.Password));
        var app = builder.Build();
        var validator = app.Services.GetRequiredService<ITokenValidator>();
        GatewayCompare.MapGc(app);
        app.MapGet(CheckPath, async (HttpContext context) =>
        {
            context.Response.StatusCode = await IsValidAsync(context, validator) ? StatusCodes.Status204NoContent : StatusCodes.Status401Unauthorized;
        });
        await app.RunAsync();
    }

    private static async ValueTask<bool> IsValidAsync(HttpContext context, ITokenValidator validator)
    {
        const string Bearer = "Bearer ";
        var header = context.Request.Headers["X-Esri-Authorization"].ToString();
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return false;
        }

        var result = await validator.ValidateAsync(new TokenValidatorContext
        {
            HttpContext = context,
            Token = header[Bearer.Length..].Trim(),
            Source = TokenSource.EsriAuthorizationHeader,
            CancellationToken = context.RequestAborted,
        });
        return result.Status == TokenValidatorStatus.Valid;
    }
}
