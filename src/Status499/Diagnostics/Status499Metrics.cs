using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Status499.ClientClosed;

namespace Status499.Diagnostics;

// The library's own instruments on the "Status499" meter, for OpenTelemetry (AddMeter("Status499")) and
// dotnet-counters. Tag names follow the OpenTelemetry HTTP semantic conventions where one exists.
internal sealed class Status499Metrics
{
    public const string MeterName = "Status499";

    private readonly Counter<long> _clientClosedRequests;
    private readonly Counter<long> _serverEndedRequests;
    private readonly Counter<long> _tokenRejections;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _clientWait;
    private readonly Histogram<double> _wastedWork;

    public Status499Metrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _clientClosedRequests = meter.CreateCounter<long>(
            "status499.client_closed_requests",
            unit: "{request}",
            description: "Requests whose client went away before the response completed.");
        _serverEndedRequests = meter.CreateCounter<long>(
            "status499.server_ended_requests",
            unit: "{request}",
            description: "Requests the server ended before they completed (a client too slow, shutdown, a request timeout, the app's abort), by termination.");
        _tokenRejections = meter.CreateCounter<long>(
            "status499.token_rejections",
            unit: "{request}",
            description: "Requests on token-protected routes that were refused, by reason.");
        _lockouts = meter.CreateCounter<long>(
            "status499.token_service.lockouts",
            unit: "{lockout}",
            description: "Usernames locked out of generateToken after repeated failed sign-ins.");
        _rateLimited = meter.CreateCounter<long>(
            "status499.token_service.rate_limited",
            unit: "{request}",
            description: "generateToken requests refused with 429 because their client address sent too many.");
        _clientWait = CreateDurationHistogram(
            meter,
            "status499.client_wait.duration",
            "How long clients that went away waited before they left.");
        _wastedWork = CreateDurationHistogram(
            meter,
            "status499.wasted_work.duration",
            "How long the pipeline kept running after its client left.");
    }

    // Seconds, as OpenTelemetry's duration conventions ask; buckets from a fast API call to a two-minute export.
    private static Histogram<double> CreateDurationHistogram(Meter meter, string name, string description)
    {
#if NET9_0_OR_GREATER
        return meter.CreateHistogram<double>(name, unit: "s", description: description, tags: null, advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        });
#else
        // The advice API arrived with System.Diagnostics.DiagnosticSource 9.0; net8.0 gets the framework's 8.0.
        return meter.CreateHistogram<double>(name, unit: "s", description: description);
#endif
    }

    // No tags: a username or an address would make the cardinality unbounded; the log names both.
    public void LockoutStarted() => _lockouts.Add(1);

    public void RateLimited() => _rateLimited.Add(1);

    public void ClientClosedRequest(HttpContext context, string? route, Status499Meaning meaning, ClientDisconnectPhase phase, RequestTermination termination, TimeSpan waited, TimeSpan wasted)
    {
        var method = Status499Names.NormalizeMethod(context.Request.Method);
        if (_wastedWork.Enabled)
        {
            var tags = new TagList
            {
                { "http.request.method", method },
                { "status499.termination", Status499Names.Of(termination) },
            };
            if (route is not null)
            {
                tags.Add("http.route", route);
            }

            _wastedWork.Record(wasted.TotalSeconds, tags);
        }

        if (_clientWait.Enabled)
        {
            var tags = new TagList
            {
                { "http.request.method", method },
                { "status499.phase", Status499Names.Of(phase) },
                { "status499.termination", Status499Names.Of(termination) },
            };
            if (route is not null)
            {
                tags.Add("http.route", route);
            }

            _clientWait.Record(waited.TotalSeconds, tags);
        }

        if (_clientClosedRequests.Enabled)
        {
            var tags = new TagList
            {
                { "http.request.method", method },
                { "status499.phase", Status499Names.Of(phase) },
                { "status499.meaning", Status499Names.Of(meaning) },
                { "status499.termination", Status499Names.Of(termination) },
            };
            if (route is not null)
            {
                tags.Add("http.route", route);
            }

            _clientClosedRequests.Add(1, tags);
        }
    }

    public void ServerEndedRequest(HttpContext context, string? route, Status499Meaning meaning, ClientDisconnectPhase phase, RequestTermination termination)
    {
        if (!_serverEndedRequests.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", Status499Names.NormalizeMethod(context.Request.Method) },
            { "status499.phase", Status499Names.Of(phase) },
            { "status499.meaning", Status499Names.Of(meaning) },
            { "status499.termination", Status499Names.Of(termination) },
        };
        if (route is not null)
        {
            tags.Add("http.route", route);
        }

        _serverEndedRequests.Add(1, tags);
    }

    // reason: the refusal's name on the status499.reason tag (TokenOutcomeNames).
    public void TokenRejected(HttpContext context, string? route, string reason)
    {
        if (!_tokenRejections.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", Status499Names.NormalizeMethod(context.Request.Method) },
            { "status499.reason", reason },
        };
        if (route is not null)
        {
            tags.Add("http.route", route);
        }

        _tokenRejections.Add(1, tags);
    }
}
