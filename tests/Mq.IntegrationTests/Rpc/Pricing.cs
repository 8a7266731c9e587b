namespace Mq.IntegrationTests.Rpc;

/// <summary>Prices every sku by its length; ships a parcel back with <c>extra</c> more in it.</summary>
public sealed class Pricing : IPricing
{
    public ValueTask<decimal> PriceAsync(string sku) => ValueTask.FromResult(sku.Length + 0.5m);

    public Task<Parcel> ShipAsync(Parcel parcel, int extra) => Task.FromResult(new Parcel { Sku = parcel.Sku, Quantity = parcel.Quantity + extra });
}
