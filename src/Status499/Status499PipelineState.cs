namespace Status499;

// What the startup checks need to know about how the app's pipeline was built. A singleton registered by AddStatus499().
internal sealed class Status499PipelineState
{
    // Set by UseStatus499() when it is called, before the host starts, so the startup filter can see it.
    public bool MiddlewareAdded { get; set; }
}
