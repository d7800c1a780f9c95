namespace Status499.Pipeline;

// What the startup checks need to know about how the app's pipeline was built. A singleton registered by AddStatus499().
internal sealed class Status499PipelineState
{
    // Set by UseStatus499() when it is called, before the host starts, so the startup filter can see it.
    public bool MiddlewareAdded { get; set; }

    // Set by the startup filter when it puts the TokenRouteGuard in front of the pipeline: every request then passes
    // through the guard, which returns the request state to its pool when the response has completed.
    public bool GuardInstalled { get; set; }
}
