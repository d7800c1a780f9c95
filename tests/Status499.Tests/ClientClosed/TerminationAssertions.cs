using System.Diagnostics;
using Microsoft.Extensions.Logging.Testing;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ClientClosed;

// What every termination test checks: which counter, the status499.termination tag, the log event and its Termination
// field, and the span tag.
internal static class TerminationAssertions
{
    public static async Task ClientClosedAsync(TestApp app, string termination, string phase, int count = 1)
    {
        await app.ClientClosedRequests.WaitForMeasurementsAsync(count, TimeSpan.FromSeconds(15));
        var measurements = app.ClientClosedRequests.GetMeasurementSnapshot();
        measurements.Should().HaveCount(count);
        measurements.Should().OnlyContain(m => (string?)m.Tags["status499.termination"] == termination && (string?)m.Tags["status499.phase"] == phase);
        app.ServerEndedRequests.GetMeasurementSnapshot().Should().BeEmpty("the client ended it");
        var logs = Status499Events(app, "ClientClosedRequest");
        logs.Should().HaveCount(count).And.OnlyContain(r => Field(r, "Termination") == termination);
        Status499Events(app, "RequestEndedByServer").Should().BeEmpty();
    }

    public static async Task ServerEndedAsync(TestApp app, string termination, string phase, int count = 1)
    {
        await app.ServerEndedRequests.WaitForMeasurementsAsync(count, TimeSpan.FromSeconds(15));
        var measurements = app.ServerEndedRequests.GetMeasurementSnapshot();
        measurements.Should().HaveCount(count);
        measurements.Should().OnlyContain(m => (string?)m.Tags["status499.termination"] == termination && (string?)m.Tags["status499.phase"] == phase);
        app.ClientClosedRequests.GetMeasurementSnapshot().Should().BeEmpty("the server ended it, not the client");
        var logs = Status499Events(app, "RequestEndedByServer");
        logs.Should().HaveCount(count).And.OnlyContain(r => Field(r, "Termination") == termination);
        logs.Should().OnlyContain(r => !r.Message.Contains("client closed", StringComparison.OrdinalIgnoreCase));
        Status499Events(app, "ClientClosedRequest").Should().BeEmpty();
        Status499Events(app, "WorkAfterClientLeft").Should().BeEmpty();
    }

    public static void SpanTag(Activity? span, string termination)
    {
        span.Should().NotBeNull("the handler saw its request's activity");
        span!.GetTagItem("status499.termination").Should().Be(termination);
    }

    // Activities of the hosting source are created only while someone listens.
    public static ActivityListener ListenToHosting()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static List<FakeLogRecord> Status499Events(TestApp app, string name)
        => app.Logs.GetSnapshot().Where(r => r.Category == "Status499.ClientClosedRequest" && r.Id.Name == name).ToList();

    private static string? Field(FakeLogRecord record, string name)
        => record.StructuredState!.Single(kv => kv.Key == name).Value;
}
