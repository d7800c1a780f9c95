namespace Status499.ContinueAfterClientAbort;

// What ContinueAfterClientAbortLifetime.RunAsync records about one request, for the feature and the logs. One per
// pooled request context, reset for each request.
internal sealed class ContinuedWork
{
    // The route's maximum while its handler runs with a RequestAborted that ignores the client; null on every other
    // request.
    public TimeSpan? Maximum { get; set; }

    // The continued work was still running when the maximum passed, and RequestAborted was cancelled for it.
    public bool StoppedAtMaximum { get; set; }

    // The handler called HttpContext.Abort() while it ran behind ContinueAfterClientAbortLifetime.
    public bool AbortedByApplication { get; set; }

    public void Reset()
    {
        Maximum = null;
        StoppedAtMaximum = false;
        AbortedByApplication = false;
    }
}
