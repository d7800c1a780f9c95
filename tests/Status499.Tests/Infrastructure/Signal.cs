namespace Status499.Tests.Infrastructure;

// A one-shot signal between a test and a handler running on the server.
public sealed class Signal
{
    private readonly TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => _tcs.TrySetResult();

    public Task WaitAsync() => _tcs.Task.WaitAsync(TimeSpan.FromSeconds(15));

    // Completes when the token is cancelled: lets a handler that "ignores" the token wait for the abort.
    public static Task WhenCancelled(CancellationToken token)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => tcs.TrySetResult());
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
    }

    // For effects the framework produces after the response (log lines, stopped activities) that raise no event a
    // test can wait on: poll the condition, bounded.
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
