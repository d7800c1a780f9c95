using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Status499.Tests.Diagnostics;

// docs/signals.md is what operators build dashboards and alerts on: every instrument the library creates and every
// [LoggerMessage] it declares must be listed there exactly, and nothing listed may be missing from the code.
public sealed partial class DocumentedSignalsTests
{
    private static readonly string SignalsDoc = File.ReadAllText(Path.Combine(FindRepoRoot(), "docs", "signals.md"));

    [Fact]
    public void Every_instrument_on_the_Status499_meter_is_documented_with_its_type_and_unit()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var created = new List<(string Name, string Type, string Unit)>();
        using var listener = new MeterListener
        {
            // Only this factory's meter: other tests' apps create meters of the same name meanwhile.
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Status499" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    lock (created)
                    {
                        created.Add((instrument.Name, TypeOf(instrument), instrument.Unit ?? string.Empty));
                    }
                }
            },
        };
        listener.Start();
        _ = new Status499Metrics(meterFactory);

        var documented = MetricRow().Matches(SignalsDoc).Select(m => (m.Groups["name"].Value, m.Groups["type"].Value, m.Groups["unit"].Value)).ToList();

        created.Should().NotBeEmpty();
        documented.Should().BeEquivalentTo(created, "docs/signals.md lists every instrument, with the type and unit the code gives it");
    }

    [Fact]
    public void Every_log_event_is_documented_with_its_EventId_and_level_and_no_retired_id_is_reused()
    {
        var declared = typeof(Status499Log).GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Attribute!.EventId, Name: x.Attribute.EventName!, Level: LevelOf(x.Method, x.Attribute)))
            .ToList();
        var documented = EventRow().Matches(SignalsDoc)
            .Select(m => (EventId: int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), Name: m.Groups["name"].Value, Level: m.Groups["level"].Value.Trim()))
            .ToList();

        declared.Should().HaveCountGreaterThan(10);
        documented.Should().BeEquivalentTo(declared, "docs/signals.md lists every [LoggerMessage] of Status499Log with its EventId, name and level");

        var retired = RetiredIds().Match(SignalsDoc).Groups["ids"].Value.Split(',').Select(s => int.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        declared.Select(d => d.EventId).Should().NotIntersectWith(retired);
    }

    private static string TypeOf(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Counter<>) => "counter",
        var t when t == typeof(Histogram<>) => "histogram",
        var t when t == typeof(UpDownCounter<>) => "up-down counter",
        var t => t.Name,
    };

    // A message without a fixed level takes it as a parameter: the documented level is the option that sets it.
    private static string LevelOf(MethodInfo method, LoggerMessageAttribute attribute)
    {
        if (attribute.Level != LogLevel.None)
        {
            return attribute.Level.ToString();
        }

        method.GetParameters().Should().Contain(p => p.ParameterType == typeof(LogLevel), $"{method.Name} has no fixed level");
        return "`ClientClosedRequestLogLevel` (default Information)";
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Status499.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Status499.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<name>status499\.[a-z_.]+)` \| (?<type>[a-z -]+) \| `(?<unit>[^`]*)` \|", RegexOptions.Multiline)]
    private static partial Regex MetricRow();

    [GeneratedRegex(@"^\| (?<id>\d+) \| `(?<name>\w+)` \| (?<level>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();

    [GeneratedRegex(@"^Retired, never reused: (?<ids>[\d, ]+)\.", RegexOptions.Multiline)]
    private static partial Regex RetiredIds();
}
