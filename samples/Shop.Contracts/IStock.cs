using Mq.Rpc;

namespace Shop.Contracts;

/// <summary>
/// Stock levels as a remote object: package Mq's generator writes its proxy and dispatcher, and each method is a
/// service (<c>shop.stock.Available</c>).
/// </summary>
[MqContract("shop.stock")]
public interface IStock
{
    ValueTask<int> AvailableAsync(string sku, CancellationToken cancellationToken = default);
}
