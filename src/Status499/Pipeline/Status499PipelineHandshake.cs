namespace Status499.Pipeline;

// How UseStatus499() and the startup filter learn about each other while the app's pipeline is built; a singleton
// registered by AddStatus499(). The order of events on startup:
// 1. The app calls UseStatus499() (in Program.cs, possibly inside a UseWhen branch): MiddlewareAdded.
// 2. The host starts and runs Status499StartupFilter, which puts the TokenRouteGuard in front of the whole pipeline:
//    GuardInstalled.
// 3. The host builds the pipeline: UseStatus499()'s factory creates the middleware, telling it whether the guard
//    releases each request context (so the middleware need not register a callback of its own).
// 4. The startup filter checks the built pipeline: token routes without UseStatus499() or a validator stop the app.
// Each fact is written once, by one side, and read by the other.
internal sealed class Status499PipelineHandshake
{
    public bool MiddlewareAdded { get; private set; }

    public bool GuardInstalled { get; private set; }

    public void OnMiddlewareAdded() => MiddlewareAdded = true;

    public void OnGuardInstalled() => GuardInstalled = true;
}
