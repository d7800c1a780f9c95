using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;
using Status499.Meanings;

namespace Status499.ContinueAfterClientAbort;

// Decides whether a request continues after its client left, and for how long at most. Built once from
// Status499Options; Resolve runs on every request that Status499 tracks and allocates nothing. Same rule as
// MeaningResolver: the most specific endpoint metadata wins, then the first matching pattern.
internal sealed class ContinueAfterClientAbortResolver
{
    private readonly RouteMappingMatcher[] _matchers;
    private readonly TimeSpan[] _maxima;
    private readonly TimeSpan _limit;

    public ContinueAfterClientAbortResolver(Status499Options options)
    {
        _limit = options.ContinueAfterClientAbortLimit;
        var routes = options.ContinueAfterClientAbortRoutes;
        _matchers = new RouteMappingMatcher[routes.Count];
        _maxima = new TimeSpan[routes.Count];
        for (var i = 0; i < routes.Count; i++)
        {
            _matchers[i] = new RouteMappingMatcher(RoutePatternFactory.Parse(routes[i].RoutePattern));
            _maxima[i] = Bound(routes[i].Maximum);
        }
    }

    // The longest the request may go on after its client left; null when it stops like any other (the common case).
    public TimeSpan? Resolve(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IContinueAfterClientAbortMetadata>() is { } metadata)
        {
            return Bound(metadata.Maximum);
        }

        if (_matchers.Length == 0)
        {
            return null;
        }

        var path = context.Request.Path;
        for (var i = 0; i < _matchers.Length; i++)
        {
            if (_matchers[i].IsMatch(path))
            {
                return _maxima[i];
            }
        }

        return null;
    }

    // The declared maximum (or the default), never above the app-wide limit. The convention, the attribute and the
    // options validator refuse non-positive values; one from the app's own metadata type gets the default instead of
    // an exception on every request.
    private TimeSpan Bound(TimeSpan? maximum)
    {
        var value = maximum is { } declared && declared > TimeSpan.Zero ? declared : Status499Options.DefaultContinueAfterClientAbortMaximum;
        return value > _limit ? _limit : value;
    }
}
