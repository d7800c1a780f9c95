using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Status499.ArcGisErrors;

// How an ArcGIS parameter such as f or callback is read, everywhere: the query string first, then the form (the one
// the caller read, or one already read for the token), never a body read just for this.
internal static class ArcGisRequestParameters
{
    public static string? Read(HttpContext context, string name, IFormCollection? form = null)
    {
        var query = context.Request.Query[name];
        if (query.Count > 0)
        {
            return query[0];
        }

        if (form is null)
        {
            var feature = context.Features.Get<IFormFeature>();
            if (feature is { HasFormContentType: true } && context.Request.HasFormContentType)
            {
                form = feature.Form;
            }
        }

        if (form is not null)
        {
            var value = form[name];
            return value.Count > 0 ? value[0] : null;
        }

        return null;
    }
}
