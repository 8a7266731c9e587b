using Shop.Contracts;

namespace Shop.Prices;

/// <summary>Fixed stock levels, served as <see cref="IStock"/> with a DI scope per call.</summary>
public sealed class StockService : IStock
{
    private static readonly Dictionary<string, int> Levels = new() { ["sku-1"] = 12, ["sku-2"] = 0 };

    public ValueTask<int> AvailableAsync(string sku, CancellationToken cancellationToken = default) => ValueTask.FromResult(Levels.GetValueOrDefault(sku));
}
