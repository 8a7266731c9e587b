using MessagePack;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>A successful reply to a request.</summary>
public sealed class MqReply
{
    private readonly MessagePackSerializerOptions _serializerOptions;

    internal MqReply(IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, MessagePackSerializerOptions serializerOptions)
    {
        Headers = headers;
        Data = data;
        _serializerOptions = serializerOptions;
    }

    public IReadOnlyDictionary<string, string>? Headers { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public T Deserialize<T>() => MqSerializer.Deserialize<T>(Data, _serializerOptions);

    public string ToJson() => MqSerializer.ToJson(Data, _serializerOptions);
}
