namespace Shop.Contracts;

/// <summary>The subjects and services the shop's processes agree on.</summary>
public static class Subjects
{
    public const string OrdersCreated = "orders.*.created";
    public const string OrdersBilled = "orders.billed";
    public const string PriceQuote = "prices.quote";
}
