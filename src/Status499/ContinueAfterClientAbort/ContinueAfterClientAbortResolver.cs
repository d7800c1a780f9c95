using Microsoft.AspNetCore.Http;
using Status499.RouteSettings;

namespace Status499.ContinueAfterClientAbort;

// Decides whether a request continues after its client left, and for how long at most, by the rule every per-route
// setting follows (RouteSettingResolver.cs): endpoint metadata, then the first ContinueAfterClientAbort pattern, then
// no (null). Not a guard: on a lenient spelling of a path the stricter reading is to stop, which is the default, so
// only the path itself is matched. Built once from Status499Options; Resolve runs on every request that Status499
// tracks and allocates nothing.
internal sealed class ContinueAfterClientAbortResolver
{
    private readonly RouteSettingResolver<IContinueAfterClientAbortMetadata, TimeSpan?> _setting;

    public ContinueAfterClientAbortResolver(Status499Options options)
    {
        var limit = options.ContinueAfterClientAbortLimit;
        var mappings = options.ContinueAfterClientAbortRoutes.Select(mapping => mapping with { Value = Bound(mapping.Value, limit) }).ToArray();
        _setting = new(mappings, defaultValue: null, metadata => Bound(metadata.Maximum, limit));
    }

    // The longest the request may go on after its client left; null when it stops like any other (the common case).
    public TimeSpan? Resolve(HttpContext context) => _setting.Resolve(context);

    // The declared maximum (or the default), never above the app-wide limit. The convention, the attribute and the
    // options validator refuse non-positive values; one from the app's own metadata type gets the default instead of
    // an exception on every request.
    private static TimeSpan Bound(TimeSpan? maximum, TimeSpan limit)
    {
        var value = maximum is { } declared && declared > TimeSpan.Zero ? declared : Status499Options.DefaultContinueAfterClientAbortMaximum;
        return value > limit ? limit : value;
    }
}
