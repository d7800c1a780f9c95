using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Status499.Routing;

// Built once from Status499Options, shared by the middleware and the TokenRouteGuard; Resolve runs on every request
// and allocates nothing.
internal sealed class MeaningResolver
{
    private readonly RouteMappingMatcher[] _matchers;
    private readonly Status499Meaning _defaultMeaning;

    public MeaningResolver(Status499Options options)
    {
        _defaultMeaning = options.DefaultMeaning;
        _matchers = new RouteMappingMatcher[options.Routes.Count];
        for (var i = 0; i < _matchers.Length; i++)
        {
            var mapping = options.Routes[i];
            _matchers[i] = new RouteMappingMatcher(RoutePatternFactory.Parse(mapping.RoutePattern), mapping.Meaning);
        }
    }

    public Status499Meaning Resolve(HttpContext context)
    {
        if (context.GetEndpoint() is { } endpoint && FromMetadata(endpoint.Metadata) is { } meaning)
        {
            return meaning;
        }

        var path = context.Request.Path;
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
