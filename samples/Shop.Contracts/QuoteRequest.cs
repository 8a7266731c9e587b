using MessagePack;

namespace Shop.Contracts;

/// <summary>The request of the <c>prices.quote</c> service.</summary>
[MessagePackObject]
public sealed class QuoteRequest
{
    [Key("sku")]
    public string Sku { get; init; } = "";
}
