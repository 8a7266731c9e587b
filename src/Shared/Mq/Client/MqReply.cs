using Mq.Serialization;

namespace Mq.Client;

/// <summary>A successful reply to a request.</summary>
public sealed class MqReply
{
    private readonly SerializerRegistry _serializers;

    internal MqReply(IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, SerializerRegistry serializers)
    {
        Headers = headers;
        Data = data;
        _serializers = serializers;
    }

    public IReadOnlyDictionary<string, string>? Headers { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The reply's media type from its <c>content-type</c> header; null means MessagePack (or raw bytes).</summary>
    public string? ContentType => Headers?.GetValueOrDefault(MqContentTypes.Header);

    /// <summary>Deserializes <see cref="Data"/> with the serializer its content type names.</summary>
    public T Deserialize<T>() => _serializers.Deserialize<T>(Headers, Data);

    /// <summary>The payload as JSON, whatever its content type.</summary>
    public string ToJson() => _serializers.ToJson(Headers, Data);
}
