namespace Status499.Tests.Infrastructure;

public static class ClientCancellation
{
    // Sends GET path, cancels it once the server signals that the handler runs, and checks the client saw it cancelled.
    // Over HTTP/2 this sends RST_STREAM; on TestServer it aborts the server-side request.
    public static async Task CancelOnceEnteredAsync(HttpClient client, string path, Signal entered)
    {
        using var cancel = new CancellationTokenSource();
        var request = client.GetAsync(path, cancel.Token);
        await entered.WaitAsync();
        cancel.Cancel();
        await FluentActions.Awaiting(() => request).Should().ThrowAsync<OperationCanceledException>();
    }
}
