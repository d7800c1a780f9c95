using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Status499.ArcGisErrors;
using Status499.ClientClosed;
using Status499.Tokens;

namespace Status499.ArcGisServer;

// Answers <root>/rest/info, which ArcGIS clients read to find where to get a token. The token URL must be absolute and
// must use the scheme the client used (the Maps SDK refuses an https token URL from an http page), so it is built per
// request from Scheme, Host and PathBase, which UseForwardedHeaders() corrects behind a reverse proxy. Host is what the
// client says: AllowedHosts (HostFilteringMiddleware) or an absolute URL configured at mapping time keeps a forged Host
// header from pointing clients at another server.
internal sealed class ArcGisRestInfoEndpoint
{
    private readonly string _tokenServicesPath;
    private readonly bool _tokenServicesUrlIsAbsolute;
    private readonly int _shortLivedTokenValidityMinutes;
    private readonly ClientAbort _clientAbort;

    public ArcGisRestInfoEndpoint(IOptions<ArcGisTokenOptions> options, ClientAbort clientAbort, string tokenServicesPath)
    {
        _clientAbort = clientAbort;
        _tokenServicesPath = tokenServicesPath;
        _tokenServicesUrlIsAbsolute = tokenServicesPath[0] != '/';
        _shortLivedTokenValidityMinutes = (int)Math.Max(1, Math.Ceiling(options.Value.DefaultExpiration.TotalMinutes));
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        IFormCollection? form = null;
        if (!request.Query.ContainsKey("f") && FormReader.IsUrlEncoded(request))
        {
            var read = await FormReader.ReadAsync(context, _clientAbort);
            if (FormReader.EndedTheRequest(context, read))
            {
                return;
            }

            // An unreadable form (Form is null) only loses the choice of format.
            form = read.Form;
        }

        var f = ArcGisRequestParameters.Read(context, "f", form);

        // A fixed public URL, when configured, does not trust the Host header at all.
        var tokenServicesUrl = _tokenServicesUrlIsAbsolute ? _tokenServicesPath : string.Concat(request.Scheme, "://", request.Host.ToUriComponent(), request.PathBase.ToUriComponent(), _tokenServicesPath);
        await ArcGisJsonResponse.WriteAsync(context, ArcGisJson.IsPretty(f), (Url: tokenServicesUrl, Minutes: _shortLivedTokenValidityMinutes), static (writer, info) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("currentVersion", 11.3m);
            writer.WriteString("fullVersion", "11.3.0");
            writer.WriteStartObject("authInfo");
            writer.WriteBoolean("isTokenBasedSecurity", true);
            writer.WriteString("tokenServicesUrl", info.Url);
            writer.WriteNumber("shortLivedTokenValidity", info.Minutes);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
