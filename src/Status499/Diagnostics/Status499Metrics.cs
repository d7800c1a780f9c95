using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;

namespace Status499.Diagnostics;

// The library's own instruments on the "Status499" meter, for OpenTelemetry (AddMeter("Status499")) and
// dotnet-counters. Tag names follow the OpenTelemetry HTTP semantic conventions where one exists.
internal sealed class Status499Metrics
{
    public const string MeterName = "Status499";

    private readonly Counter<long> _clientClosedRequests;
    private readonly Counter<long> _tokenRejections;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _rateLimited;

    public Status499Metrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _clientClosedRequests = meter.CreateCounter<long>(
            "status499.client_closed_requests",
            unit: "{request}",
            description: "Requests whose client went away before the response completed.");
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
    }

    // No tags: a username or an address would make the cardinality unbounded; the log names both.
    public void LockoutStarted() => _lockouts.Add(1);

    public void RateLimited() => _rateLimited.Add(1);

    public void ClientClosedRequest(HttpContext context, string? route, Status499Meaning meaning, ClientDisconnectPhase phase)
    {
        if (!_clientClosedRequests.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", Status499Names.NormalizeMethod(context.Request.Method) },
            { "status499.phase", Status499Names.Of(phase) },
            { "status499.meaning", Status499Names.Of(meaning) },
        };
        if (route is not null)
        {
            tags.Add("http.route", route);
        }

        _clientClosedRequests.Add(1, tags);
    }

    public void TokenRejected(HttpContext context, string? route, TokenOutcome outcome)
    {
        if (!_tokenRejections.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", Status499Names.NormalizeMethod(context.Request.Method) },
            { "status499.reason", Status499Names.ReasonOf(outcome) },
        };
        if (route is not null)
        {
            tags.Add("http.route", route);
        }

        _tokenRejections.Add(1, tags);
    }
}
