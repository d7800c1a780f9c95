using Microsoft.Extensions.Logging;
using Status499.RouteSettings;
using Status499.Tokens;

namespace Status499;

/// <summary>
/// Decides which <see cref="Status499Meaning"/> each request gets and how the library reports it.
/// </summary>
/// <remarks>
/// Resolution order, first hit wins: endpoint metadata (<c>WithStatus499Meaning</c>, <c>DisableStatus499</c>,
/// <c>RequireToken</c>, the attributes; the most specific one), then the first <see cref="MapRoute"/> pattern that
/// matches the request path, then <see cref="DefaultMeaning"/>. Options are read once, when the middleware is built.
/// </remarks>
public sealed class Status499Options
{
    private readonly List<RouteMapping<Status499Meaning>> _routes = [];
    private readonly List<RouteMapping<TimeSpan?>> _continueRoutes = [];

    /// <summary>
    /// How long a route that continues after client abort may go on working after its client left, when its
    /// declaration gives no maximum: 30 seconds. Continued work is meant to finish a short write (a payment, a database
    /// transaction) that would otherwise stop halfway; 30 seconds is ample for that, matches the host's default
    /// graceful shutdown timeout (<c>HostOptions.ShutdownTimeout</c>), and bounds work stuck on a dependency that
    /// never answers.
    /// </summary>
    public static readonly TimeSpan DefaultContinueAfterClientAbortMaximum = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The meaning of requests that neither endpoint metadata nor a <see cref="MapRoute"/> pattern decides.
    /// Defaults to <see cref="Status499Meaning.ClientClosedRequest"/>.
    /// </summary>
    public Status499Meaning DefaultMeaning { get; set; } = Status499Meaning.ClientClosedRequest;

    /// <summary>
    /// The level of the <c>ClientClosedRequest</c> log event.
    /// Defaults to <see cref="LogLevel.Information"/>: a client leaving is normal, not an error.
    /// </summary>
    public LogLevel ClientClosedRequestLogLevel { get; set; } = LogLevel.Information;

    /// <summary>
    /// How long the pipeline may keep running after its client left before the <c>WorkAfterClientLeft</c> warning is
    /// logged (a handler that ignores <c>HttpContext.RequestAborted</c>). Defaults to one second.
    /// </summary>
    public TimeSpan WastedWorkLogThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a request that ended early also gets an <c>error.type</c> tag on ASP.NET Core's
    /// <c>http.server.request.duration</c>: the <c>status499.termination</c> value (<c>client_closed</c>,
    /// <c>client_reset</c>, <c>client_too_slow</c>, <c>server_shutdown</c>…), while the status code tag keeps the true
    /// status. The OpenTelemetry HTTP semantic conventions recommend <c>error.type</c> for a request whose connection
    /// dropped before the response was sent. Off by default: it adds a dimension to a metric that dashboards already
    /// group by, and some count every <c>error.type</c> as an error. When ASP.NET Core itself sets <c>error.type</c> from
    /// an unhandled exception, that value is replaced by the termination: the exception was the abort's consequence.
    /// </summary>
    public bool RecordTerminationAsErrorType { get; set; }

    /// <summary>
    /// The most any route may go on working after its client left, whatever maximum it declares: a larger one is
    /// lowered to this. Lets an operator bound continued work for the whole app from configuration. Defaults to five
    /// minutes; must be positive and at most one day (startup fails otherwise).
    /// </summary>
    public TimeSpan ContinueAfterClientAbortLimit { get; set; } = TimeSpan.FromMinutes(5);

    // The largest ContinueAfterClientAbortLimit the validator accepts; larger route maxima are lowered to the limit.
    internal static readonly TimeSpan MaxContinueAfterClientAbortLimit = TimeSpan.FromDays(1);

    /// <summary>Token validation settings for <see cref="Status499Meaning.TokenRequired"/> routes.</summary>
    public TokenRequiredOptions Token { get; } = new();

    // The route mappings, in the order they are tried.
    internal IReadOnlyList<RouteMapping<Status499Meaning>> Routes => _routes;

    // The ContinueAfterClientAbort patterns, in the order they are tried. Its name is the configuration key.
    internal IReadOnlyList<RouteMapping<TimeSpan?>> ContinueAfterClientAbortRoutes => _continueRoutes;

    // Filled by the configuration binder; reported by Status499OptionsValidator so startup fails naming the key.
    // A field, not a property: the binder generator takes internal properties as configuration keys.
    internal readonly List<string> ConfigurationErrors = [];

    /// <summary>
    /// Gives every request whose path matches <paramref name="routePattern"/> the meaning <paramref name="meaning"/>,
    /// unless endpoint metadata decides. Patterns are tried in the order they were mapped; the first match wins.
    /// They also apply to requests that match no endpoint (static files, a reverse proxy, 404s).
    /// </summary>
    /// <param name="routePattern">
    /// An ASP.NET Core route template, relative to <c>PathBase</c>, for example <c>/arcgis/rest/services/{**path}</c>.
    /// Parameters match any segment; inline constraints are not supported (startup fails if one is used).
    /// </param>
    /// <param name="meaning">The meaning for matching requests.</param>
    /// <returns>These options, for chaining.</returns>
    public Status499Options MapRoute(string routePattern, Status499Meaning meaning)
    {
        ArgumentNullException.ThrowIfNull(routePattern);
        _routes.Add(new RouteMapping<Status499Meaning>(routePattern, meaning, $"MapRoute(\"{routePattern}\")"));
        return this;
    }

    /// <summary>
    /// Lets every request whose path matches <paramref name="routePattern"/> finish its work when the client disconnects,
    /// unless endpoint metadata (<c>ContinueAfterClientAbort()</c>, <see cref="ContinueAfterClientAbortAttribute"/>)
    /// decides: <c>HttpContext.RequestAborted</c> does not fire for the disconnect, but still fires on server shutdown,
    /// on a <c>UseRequestTimeouts()</c> timeout, and <paramref name="maximum"/> after the client left. The request is
    /// still recorded as client-closed. The first matching pattern wins.
    /// </summary>
    /// <param name="routePattern">An ASP.NET Core route template, as for <see cref="MapRoute"/>, for example <c>/payments/{**rest}</c>.</param>
    /// <param name="maximum">
    /// How long the work may go on after the client left; <c>null</c> for
    /// <see cref="DefaultContinueAfterClientAbortMaximum"/>. Must be positive; never more than
    /// <see cref="ContinueAfterClientAbortLimit"/>.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    public Status499Options ContinueAfterClientAbort(string routePattern, TimeSpan? maximum = null)
    {
        ArgumentNullException.ThrowIfNull(routePattern);
        _continueRoutes.Add(new RouteMapping<TimeSpan?>(routePattern, maximum, $"ContinueAfterClientAbort(\"{routePattern}\")"));
        return this;
    }

    internal void AddConfiguredContinueRoute(string routePattern, TimeSpan? maximum, string configurationKey)
        => _continueRoutes.Add(new RouteMapping<TimeSpan?>(routePattern, maximum, configurationKey));

    internal void AddConfiguredRoute(string routePattern, Status499Meaning meaning, string configurationKey)
        => _routes.Add(new RouteMapping<Status499Meaning>(routePattern, meaning, configurationKey));
}
