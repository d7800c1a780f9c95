using System.Text;

namespace Status499.Gateway;

// The gateway's own refusals and failures, in ArcGIS's error envelope ({"error":{"code","message","details"}}) when the
// client asked for JSON (f=json, pjson, geojson), so ArcGIS clients show the message rather than fail to parse. The
// status line keeps the real status (unlike ArcGIS token errors, docs/arcgis-status-line.md): a load balancer, a retry
// policy and an operator must see it; ArcGIS clients read the body of a non-2xx answer too.
internal static class GatewayErrorBody
{
    public static Task WriteAsync(HttpContext context, int status, string message, string detail)
    {
        context.Response.StatusCode = status;
        var format = context.Request.Query["f"].ToString();
        if (!format.Equals("json", StringComparison.OrdinalIgnoreCase)
            && !format.Equals("pjson", StringComparison.OrdinalIgnoreCase)
            && !format.Equals("geojson", StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = $$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","details":["{{{detail}}}"]}}""";
        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body)).AsTask();
    }
}
