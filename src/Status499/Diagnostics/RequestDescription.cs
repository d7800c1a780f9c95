using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Status499.Diagnostics;

// How Status499's logs and metrics name a request. Never the query string: on token routes it can hold the token.
internal static class RequestDescription
{
    public static string? RouteOf(HttpContext context) => (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;

    public static string PathOf(HttpContext context) => context.Request.PathBase.Add(context.Request.Path).ToString();
}
