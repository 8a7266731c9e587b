using MessagePack;

namespace Mq.IntegrationTests.Rpc;

[MessagePackObject]
public sealed record StockLine([property: Key(0)] string Sku, [property: Key(1)] int Warehouse, [property: Key(2)] int Quantity);
