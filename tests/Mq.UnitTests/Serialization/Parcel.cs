using System.Runtime.Serialization;

namespace Mq.UnitTests.Serialization;

/// <summary>A contract every built-in format reads: DataContractSerializer and MessagePack both honour [DataMember] (named, so MessagePack writes a map).</summary>
[DataContract(Namespace = "")]
public sealed record Parcel
{
    [DataMember(Name = "id")]
    public int Id { get; init; }

    [DataMember(Name = "to")]
    public string To { get; init; } = "";

    [DataMember(Name = "items")]
    public List<string> Items { get; init; } = [];
}
