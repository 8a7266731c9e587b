using Mq.Rpc;
using Mq.Serialization;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A contract that asks to be called in JSON, and ships parcels (a data contract, for XML).</summary>
[MqContract("test.pricing", ContentType = MqContentTypes.Json)]
public interface IPricing
{
    ValueTask<decimal> PriceAsync(string sku);

    Task<Parcel> ShipAsync(Parcel parcel, int extra = 0);
}
