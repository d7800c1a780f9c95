namespace Status499.Gateway;

// Gateway:AllowedReferers, as Esri's resource-proxy had (allowedReferers): when the gateway signs in to a secured
// service on its users' behalf (Gateway:Upstreams), another web site could have its visitors' browsers call through it.
// A proxied request whose Referer starts with none of the listed URLs is refused with 403 and the resource-proxy's
// message, before it is forwarded. "*" allows every referer; an empty list (the default) checks nothing. A request
// without a Referer is refused while the list is set: browsers send one, and clients that do not (GDAL, QGIS) have no
// business with a list meant for browser apps.
internal sealed class GatewayRefererCheck
{
    private readonly string[] _allowed;

    public GatewayRefererCheck(GatewayOptions options) => _allowed = [.. options.AllowedReferers];

    public bool IsEnabled => _allowed.Length > 0 && !_allowed.Contains("*");

    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var referer = context.Request.Headers.Referer.ToString();
        foreach (var prefix in _allowed)
        {
            // Scheme and host are case-insensitive; a path prefix is matched as given, so list "https://app.example.com/"
            // rather than "https://app.example.com" to keep "https://app.example.com.evil.test" out.
            if (referer.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return next();
            }
        }

        return GatewayErrorBody.WriteAsync(context, StatusCodes.Status403Forbidden,
            "403 - Forbidden: Access is denied.", "Proxy is being used from an unsupported referer.");
    }
}
