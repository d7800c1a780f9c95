using Microsoft.AspNetCore.Http;

namespace Status499.Tests.Infrastructure;

// Middleware placed first in the pipeline: what any outer middleware (a logger, an exception handler) sees.
// Completed is the first request; All holds every request, in the order they ended.
public sealed class OuterObserver
{
    private readonly TaskCompletionSource<Observation> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Observation> _all = new();

    public Task<Observation> Completed => _completed.Task;

    public IReadOnlyCollection<Observation> All => _all;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        Exception? escaped = null;
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            escaped = ex;
            throw;
        }
        finally
        {
            var feature = context.Features.Get<IStatus499Feature>();
            var observation = new Observation(
                context.Request.Path.Value ?? string.Empty,
                context.Response.StatusCode,
                escaped,
                feature?.Meaning ?? Status499Meaning.None,
                feature?.DisconnectPhase ?? ClientDisconnectPhase.None,
                feature?.TokenOutcome ?? TokenOutcome.NotChecked,
                feature?.TokenSource ?? TokenSource.None,
                feature?.Termination ?? RequestTermination.None,
                feature?.QueueWait);
            _all.Enqueue(observation);
            _completed.TrySetResult(observation);
        }
    }

    public async Task<Observation> WaitAsync() => await Completed.WaitAsync(TimeSpan.FromSeconds(15));
}

public sealed record Observation(
    string Path,
    int StatusCode,
    Exception? EscapedException,
    Status499Meaning Meaning,
    ClientDisconnectPhase Phase,
    TokenOutcome TokenOutcome,
    TokenSource TokenSource,
    RequestTermination Termination = RequestTermination.None,
    TimeSpan? QueueWait = null);
