using System.Diagnostics;

namespace Status499.Tests.Infrastructure;

// What a test measured of a client leaving an IgnoringHandler, in milliseconds since just before the request was sent
// (so no later than the server's start of the request). Clock keeps running for later measurements.
public sealed record LeavingMoments(Stopwatch Clock, double EnteredMs, double LeftMs, double NoticedMs, double ReleasedMs)
{
    // The client left no earlier than this.
    public double ResetLowerBoundMs => EnteredMs + IgnoringHandler.LeaveAfterEnteredMs - IgnoringHandler.TimerSlackMs;

    // Status499 stamps the moment in its own RequestAborted callback, which runs with the handler's; half the handler's
    // remaining run is room for the thread running those callbacks to be descheduled between the two.
    public double LeftMomentUpperBoundMs => NoticedMs + (IgnoringHandler.WorkAfterNoticedMs / 2.0);

    // The handler ran at least until released, and the moment the client left was stamped by LeftMomentUpperBoundMs.
    public double WasteLowerBoundMs => ReleasedMs - LeftMomentUpperBoundMs;

    // The server's request started before the handler entered and ended after the handler was released.
    public double RequestLowerBoundMs => ReleasedMs - EnteredMs;

    public override string ToString()
        => $"entered {EnteredMs:F0} ms, left {LeftMs:F0} ms, noticed {NoticedMs:F0} ms, released {ReleasedMs:F0} ms after sending";
}
