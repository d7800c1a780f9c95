using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Status499.Gateway;

// Takes the token cookie (Status499:Token:CookieName) out of the forwarded Cookie header and keeps every other cookie as
// it came. Names are compared as ASP.NET Core's request cookies read them (unescaped, case-insensitively), so no spelling
// that Status499 accepts as the token cookie gets through.
internal sealed class GatewayCookieTokenRemoval
{
    private readonly string _cookieName;

    public GatewayCookieTokenRemoval(string cookieName) => _cookieName = cookieName;

    public ValueTask ApplyAsync(RequestTransformContext context)
    {
        var values = RequestTransform.TakeHeader(context, HeaderNames.Cookie);
        if (values.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var kept = new List<string>();
        foreach (var value in values)
        {
            foreach (var pair in (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Trim());
                if (!name.Equals(_cookieName, StringComparison.OrdinalIgnoreCase))
                {
                    kept.Add(pair);
                }
            }
        }

        if (kept.Count > 0)
        {
            RequestTransform.AddHeader(context, HeaderNames.Cookie, string.Join("; ", kept));
        }

        return ValueTask.CompletedTask;
    }
}
