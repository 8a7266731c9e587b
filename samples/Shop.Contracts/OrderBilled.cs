using MessagePack;

namespace Shop.Contracts;

/// <summary>Published on <c>orders.billed</c> once an order has been priced.</summary>
[MessagePackObject]
public sealed class OrderBilled
{
    [Key("id")]
    public int Id { get; init; }

    [Key("total")]
    public double Total { get; init; }
}
