using System.ComponentModel;
using MessagePack;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>What a generated dispatcher needs from the serving client: the object for each call and the serializer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqObjectHost<TContract>
    where TContract : class
{
    private readonly Func<MqObjectLease<TContract>> _rent;

    internal MqObjectHost(Func<MqObjectLease<TContract>> rent, MessagePackSerializerOptions serializerOptions)
    {
        _rent = rent;
        SerializerOptions = serializerOptions;
    }

    public MessagePackSerializerOptions SerializerOptions { get; }

    /// <summary>The object to run one call on; dispose the lease when the call is over.</summary>
    public MqObjectLease<TContract> Rent() => _rent();

    /// <summary>A result as a reply payload (MessagePack; byte buffers pass through raw, as <see cref="MqSerializer"/> does).</summary>
    public ReadOnlyMemory<byte> Serialize<T>(T value) => MqSerializer.Serialize(value, SerializerOptions);
}
