using Microsoft.Extensions.Primitives;

namespace Status499.Demo.FeatureService;

/// <summary>Query parameters: the query string, overridden by a form-encoded POST body (ArcGIS clients POST long queries).</summary>
internal sealed class QueryParameters(IQueryCollection query, IFormCollection? form)
{
    public static async Task<QueryParameters> ReadAsync(HttpRequest request)
    {
        IFormCollection? form = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            // Status499 already read (and cached) the form to look for a token; this reuses it.
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }

        return new QueryParameters(request.Query, form);
    }

    public string? Get(string name)
    {
        if (form is not null && form.TryGetValue(name, out var fromForm) && !StringValues.IsNullOrEmpty(fromForm))
        {
            return fromForm.ToString();
        }

        return query.TryGetValue(name, out var fromQuery) && !StringValues.IsNullOrEmpty(fromQuery) ? fromQuery.ToString() : null;
    }
}
