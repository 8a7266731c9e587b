namespace Mq.IntegrationTests.Rpc;

/// <summary>An in-memory <see cref="IInventory"/> over a shared <see cref="InventoryLog"/>.</summary>
public sealed class Inventory : IInventory, IDisposable
{
    private readonly InventoryLog _log;

    public Inventory(InventoryLog log)
    {
        _log = log;
        log.OnCreated();
    }

    public ValueTask<int> CountAsync(string sku, CancellationToken cancellationToken = default) => ValueTask.FromResult(_log.Stock.GetValueOrDefault(sku));

    public Task<StockLine> LineAsync(string sku, int warehouse = 1) => Task.FromResult(new StockLine(sku, warehouse, _log.Stock.GetValueOrDefault(sku)));

    public ValueTask AddAsync(string sku, int quantity, CancellationToken cancellationToken)
    {
        _log.Stock.AddOrUpdate(sku, quantity, (_, held) => held + quantity);
        return ValueTask.CompletedTask;
    }

    public Task ClearAsync()
    {
        _log.Stock.Clear();
        return Task.CompletedTask;
    }

    public ValueTask<int> BreakAsync(string sku) => throw new InvalidOperationException($"no such sku {sku}");

    public void Dispose() => _log.OnDisposed();
}
