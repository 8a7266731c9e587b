using System.Runtime.Serialization;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A data contract, as XML callers send: DataContractSerializer reads it, where it cannot read a positional record.</summary>
[DataContract(Namespace = "urn:mq:tests")]
public sealed class Parcel
{
    [DataMember(Order = 0)]
    public string Sku { get; set; } = "";

    [DataMember(Order = 1)]
    public int Quantity { get; set; }
}
