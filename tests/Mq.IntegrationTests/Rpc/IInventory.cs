using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>The contract the in-process tests call and serve: one method of each shape they test.</summary>
[MqContract("test.inventory")]
public interface IInventory
{
    ValueTask<int> CountAsync(string sku, CancellationToken cancellationToken = default);

    Task<StockLine> LineAsync(string sku, int warehouse = 1);

    ValueTask AddAsync(string sku, int quantity, CancellationToken cancellationToken);

    Task ClearAsync();

    /// <summary>Throws an InvalidOperationException with the sku in its message.</summary>
    ValueTask<int> BreakAsync(string sku);
}
