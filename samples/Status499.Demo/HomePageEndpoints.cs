namespace Status499.Demo;

/// <summary>What the home page (wwwroot/index.html) reads besides the demo routes: the counters and the demo user's name.</summary>
internal static class HomePageEndpoints
{
    /// <summary>
    /// <c>GET /demo/counters</c> (JSON), <c>GET /demo/counters/stream</c> (server-sent events: the counts at once, then at
    /// each recorded 499 and every second for the chart) and <c>GET /demo/user</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapHomePageEndpoints(this IEndpointRouteBuilder app, DemoCredentials demo)
    {
        // Created now, so that it listens from the first request on.
        _ = app.ServiceProvider.GetRequiredService<ClientClosedCounters>();
        app.MapGet("/demo/counters", (ClientClosedCounters counters) => Results.Bytes(counters.SnapshotJson(), "application/json"));

        // Server-sent events handle a client that leaves themselves: Status499 leaves this route alone.
        app.MapGet("/demo/counters/stream", async (ClientClosedCounters counters, HttpResponse response, CancellationToken ct) =>
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-store";
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var changed = counters.Changed;
                    await response.WriteAsync("data: ", ct);
                    await response.Body.WriteAsync(counters.SnapshotJson(), ct);
                    await response.WriteAsync("\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), ct));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
            {
                // The page was closed.
            }
        }).DisableStatus499();

        // The page fills in the user name; the password only when it is the public demo default.
        app.MapGet("/demo/user", () => new { username = demo.Username, password = demo.PasswordIsDefault ? demo.Password : null });
        return app;
    }
}
