using MessagePack;

namespace Shop.Contracts;

/// <summary>Published on <c>orders.{region}.created</c>. String keys make it a MessagePack map, so the CLI's JSON
/// (<c>{"id":42,"sku":"sku-1","quantity":2}</c>) and peers in other languages meet it.</summary>
[MessagePackObject]
public sealed class OrderCreated
{
    [Key("id")]
    public int Id { get; init; }

    [Key("sku")]
    public string Sku { get; init; } = "";

    [Key("quantity")]
    public int Quantity { get; init; }
}
