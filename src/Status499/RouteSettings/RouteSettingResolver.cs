using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Status499.RouteSettings;

// The one precedence rule for every per-route setting (a request's Status499Meaning, whether it continues after its
// client left, ...): the most specific endpoint metadata of type TMetadata, then the first configured pattern that
// matches the request path, then the default. Built once from Status499Options; Resolve runs on every request and
// allocates nothing, and without patterns it does no path work at all.
//
// A setting may guard paths (TokenRequired does): a catch-all or a reverse proxy passes the path on as it is, and the
// server behind it may read "/rest;x/services", "/rest%5Cservices" or "/services./x" as "/rest/services/x"
// (LenientPathNormalizer.cs). For such a setting the patterns are also matched on that reading, and a guarded value
// found there wins, so no spelling of a path walks past it. Endpoint metadata needs no such care: it belongs to the
// endpoint that answers.
internal sealed class RouteSettingResolver<TMetadata, TValue>
    where TMetadata : class
{
    private const int NoMatch = -1;

    private readonly RoutePatternMatcher[] _matchers;
    private readonly TValue[] _values;
    private readonly bool[] _guarded;
    private readonly TValue _defaultValue;
    private readonly bool _defaultGuarded;
    private readonly bool _anyGuarded;
    private readonly Func<TMetadata, TValue> _fromMetadata;

    // isGuarded, when given, says which values guard a path; it runs here only, never per request.
    public RouteSettingResolver(
        IReadOnlyList<RouteMapping<TValue>> mappings,
        TValue defaultValue,
        Func<TMetadata, TValue> fromMetadata,
        Func<TValue, bool>? isGuarded = null)
    {
        _fromMetadata = fromMetadata;
        _defaultValue = defaultValue;
        _defaultGuarded = isGuarded?.Invoke(defaultValue) ?? false;
        _anyGuarded = _defaultGuarded;

        _matchers = new RoutePatternMatcher[mappings.Count];
        _values = new TValue[mappings.Count];
        _guarded = new bool[mappings.Count];
        for (var i = 0; i < mappings.Count; i++)
        {
            _matchers[i] = new RoutePatternMatcher(RoutePatternFactory.Parse(mappings[i].RoutePattern));
            _values[i] = mappings[i].Value;
            _guarded[i] = isGuarded?.Invoke(mappings[i].Value) ?? false;
            _anyGuarded |= _guarded[i];
        }
    }

    public TValue Resolve(HttpContext context)
    {
        if (context.GetEndpoint() is { } endpoint && MostSpecific(endpoint.Metadata) is { } declared)
        {
            return _fromMetadata(declared);
        }

        // Without patterns every reading of every path gets the default.
        if (_matchers.Length == 0)
        {
            return _defaultValue;
        }

        var path = context.Request.Path;
        var match = FirstMatch(path);
        if (_anyGuarded && !IsGuarded(match) && LenientPathNormalizer.IsAmbiguous(path.Value))
        {
            var lenient = FirstMatch(new PathString(LenientPathNormalizer.Normalize(path.Value!)));
            if (IsGuarded(lenient))
            {
                return ValueOf(lenient);
            }
        }

        return ValueOf(match);
    }

    // The one rule for endpoint metadata: GetMetadata<T> returns the last item, which is the most specific one (endpoint
    // over group, action over controller).
    public static TMetadata? MostSpecific(EndpointMetadataCollection metadata) => metadata.GetMetadata<TMetadata>();

    // The index of the first pattern that matches, or NoMatch for the default.
    private int FirstMatch(PathString path)
    {
        for (var i = 0; i < _matchers.Length; i++)
        {
            if (_matchers[i].IsMatch(path))
            {
                return i;
            }
        }

        return NoMatch;
    }

    private bool IsGuarded(int match) => match == NoMatch ? _defaultGuarded : _guarded[match];

    private TValue ValueOf(int match) => match == NoMatch ? _defaultValue : _values[match];
}
