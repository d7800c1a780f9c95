using System.Collections.Concurrent;
using System.Diagnostics;

namespace Status499.Tests.Grpc;

// Listens to ASP.NET Core's hosting Activity (the request's span, which grpc-dotnet tags with grpc.method and
// Status499 with status499.phase) and keeps the tags of each one that stopped, by trace id.
public sealed class HostingActivities : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<ActivityTraceId, IReadOnlyDictionary<string, object?>> _stopped = new();

    public HostingActivities()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Microsoft.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => _stopped[activity.TraceId] = activity.TagObjects
                .Concat(activity.Events.Select(e => new KeyValuePair<string, object?>("event:" + e.Name, e.Name)))
                .GroupBy(t => t.Key)
                .ToDictionary(g => g.Key, g => g.Last().Value),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    // The tags (and "event:<name>" for each event) of the trace's hosting Activity once it stopped, waited for (bounded).
    public async Task<IReadOnlyDictionary<string, object?>> WaitStoppedAsync(ActivityTraceId? traceId)
    {
        traceId.Should().NotBeNull("the service saw the request's Activity");
        IReadOnlyDictionary<string, object?>? tags = null;
        (await Infrastructure.Signal.EventuallyAsync(() => _stopped.TryGetValue(traceId!.Value, out tags)))
            .Should().BeTrue("the request's hosting Activity stops when the request ends");
        return tags!;
    }

    public void Dispose() => _listener.Dispose();
}
