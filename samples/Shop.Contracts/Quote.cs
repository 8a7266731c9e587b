using MessagePack;

namespace Shop.Contracts;

/// <summary>The reply of the <c>prices.quote</c> service.</summary>
[MessagePackObject]
public sealed class Quote
{
    [Key("sku")]
    public string Sku { get; init; } = "";

    [Key("price")]
    public double Price { get; init; }
}
