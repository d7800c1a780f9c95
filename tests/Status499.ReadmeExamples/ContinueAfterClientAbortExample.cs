using Status499;

// docs/client-closed.md, "Finishing the work when the client leaves".
internal static class ContinueAfterClientAbortExample
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OrderStore>();

        builder.Services.AddStatus499(o => o.ContinueAfterClientAbort("/payments/{**rest}", TimeSpan.FromSeconds(45)));

        var app = builder.Build();
        app.UseRouting();
        app.UseStatus499();

        app.MapPost("/orders", async (OrderRequest order, OrderStore store, CancellationToken ct) =>
        {
            // ct does not fire when the client leaves; it still fires on shutdown, UseRequestTimeouts() and the maximum.
            var id = await store.SaveAndChargeAsync(order, ct);
            return Results.Created($"/orders/{id}", null);
        }).ContinueAfterClientAbort(TimeSpan.FromSeconds(20));

        return app;
    }
}

internal sealed record OrderRequest(string Item, decimal Amount);

// Your store and payment provider.
internal sealed class OrderStore
{
    private int _lastId;

    public async Task<int> SaveAndChargeAsync(OrderRequest order, CancellationToken ct)
    {
        await Task.Delay(100, ct);
        return Interlocked.Increment(ref _lastId);
    }
}
