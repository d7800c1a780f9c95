using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Status499.Demo;

/// <summary>
/// Reads the library's own counter, <c>status499.client_closed_requests</c> on the meter <c>Status499</c>, with a
/// <see cref="MeterListener"/> (what OpenTelemetry's <c>AddMeter("Status499")</c> or dotnet-counters would read) and keeps
/// totals per <c>http.route</c> and <c>status499.phase</c>, and a count per second for the last minute, for the home page.
/// </summary>
internal sealed class ClientClosedCounters : IDisposable
{
    private const int Seconds = 60;

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Route, string Phase), long> _totals = [];
    private readonly long[] _perSecond = new long[Seconds];
    private readonly TimeProvider _time;
    private long _lastSecond;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClientClosedCounters(TimeProvider time)
    {
        _time = time;
        _lastSecond = Now();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Status499" && instrument.Name == "status499.client_closed_requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
        _listener.Start();
    }

    /// <summary>Completes at the next recorded request.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The counts as JSON: <c>{"total":n,"byRoute":[{"route","phase","count"}],"perSecond":[60 numbers, oldest first]}</c>.</summary>
    public byte[] SnapshotJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            lock (_lock)
            {
                Advance();
                w.WriteStartObject();
                long total = 0;
                w.WriteStartArray("byRoute");
                foreach (var ((route, phase), count) in _totals.OrderBy(e => e.Key.Route, StringComparer.Ordinal).ThenBy(e => e.Key.Phase, StringComparer.Ordinal))
                {
                    total += count;
                    w.WriteStartObject();
                    w.WriteString("route", route);
                    w.WriteString("phase", phase);
                    w.WriteNumber("count", count);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("total", total);
                w.WriteStartArray("perSecond");
                for (var i = 1; i <= Seconds; i++)
                {
                    w.WriteNumberValue(_perSecond[(_lastSecond + i) % Seconds]);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }
        }

        return stream.ToArray();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string route = "(no route)", phase = "none";
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route" && tag.Value is string r)
            {
                route = r;
            }
            else if (tag.Key == "status499.phase" && tag.Value is string p)
            {
                phase = p;
            }
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            Advance();
            _totals[(route, phase)] = _totals.GetValueOrDefault((route, phase)) + value;
            _perSecond[_lastSecond % Seconds] += value;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    // Clears the buckets of the seconds that passed without a request.
    private void Advance()
    {
        var now = Now();
        for (var s = _lastSecond + 1; s <= now && s <= _lastSecond + Seconds; s++)
        {
            _perSecond[s % Seconds] = 0;
        }

        _lastSecond = Math.Max(_lastSecond, now);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
