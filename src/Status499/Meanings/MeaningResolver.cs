using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Status499.Meanings;

// Built once from Status499Options, shared by the middleware and the TokenRouteGuard; Resolve runs on every request
// and allocates nothing.
internal sealed class MeaningResolver
{
    private readonly RouteMappingMatcher[] _matchers;
    private readonly Status499Meaning _defaultMeaning;
    private readonly bool _patternsCanRequireTokens;

    public MeaningResolver(Status499Options options)
    {
        _defaultMeaning = options.DefaultMeaning;
        _matchers = new RouteMappingMatcher[options.Routes.Count];
        for (var i = 0; i < _matchers.Length; i++)
        {
            var mapping = options.Routes[i];
            _matchers[i] = new RouteMappingMatcher(RoutePatternFactory.Parse(mapping.RoutePattern), mapping.Meaning);
            _patternsCanRequireTokens |= mapping.Meaning == Status499Meaning.TokenRequired;
        }

        _patternsCanRequireTokens |= _defaultMeaning == Status499Meaning.TokenRequired;
    }

    public Status499Meaning Resolve(HttpContext context)
    {
        if (context.GetEndpoint() is { } endpoint && FromMetadata(endpoint.Metadata) is { } declared)
        {
            return declared;
        }

        var path = context.Request.Path;
        var meaning = FromPatterns(path);

        // A catch-all or a reverse proxy passes the path on as it is, and the server behind it may read
        // "/rest;x/services", "/rest%5Cservices" or "/services./x" as "/rest/services/x": the stricter reading wins
        // (LenientPathNormalizer.cs). Endpoint metadata needs no such care: it belongs to the endpoint that answers.
        if (meaning != Status499Meaning.TokenRequired
            && _patternsCanRequireTokens
            && LenientPathNormalizer.IsAmbiguous(path.Value)
            && FromPatterns(new PathString(LenientPathNormalizer.Normalize(path.Value!))) == Status499Meaning.TokenRequired)
        {
            return Status499Meaning.TokenRequired;
        }

        return meaning;
    }

    private Status499Meaning FromPatterns(PathString path)
    {
        foreach (var matcher in _matchers)
        {
            if (matcher.IsMatch(path))
            {
                return matcher.Meaning;
            }
        }

        return _defaultMeaning;
    }

    // The one rule for endpoint metadata: GetMetadata<T> returns the last item, which is the most specific one (endpoint
    // over group, action over controller).
    public static Status499Meaning? FromMetadata(EndpointMetadataCollection metadata)
        => metadata.GetMetadata<IStatus499MeaningMetadata>()?.Meaning;
}
