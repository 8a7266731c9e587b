using MessagePack;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>MessagePack (<c>application/msgpack</c>), Mq's default: compact, fast, and readable by any language.</summary>
/// <param name="options">Serializer options; the default treats what it reads as untrusted.</param>
public sealed class MessagePackMqSerializer(MessagePackSerializerOptions? options = null) : IMqSerializer, IArgumentListSerializer
{
    /// <summary>With <see cref="MqSerializer.DefaultOptions"/>.</summary>
    public static readonly MessagePackMqSerializer Default = new();

    /// <summary>The options it serializes with.</summary>
    public MessagePackSerializerOptions Options { get; } = options ?? MqSerializer.DefaultOptions;

    /// <inheritdoc/>
    public string ContentType => MqContentTypes.MessagePack;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Serialize<T>(T value) => MqSerializer.Serialize(value, Options);

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlyMemory<byte> payload) => MqSerializer.Deserialize<T>(payload, Options);

    /// <inheritdoc/>
    public string ToJson(ReadOnlyMemory<byte> payload) => MqSerializer.ToJson(payload, Options);

    MqArgumentWriter IArgumentListSerializer.CreateWriter(int count) => new MessagePackArgumentWriter(count, Options);

    MqArgumentReader IArgumentListSerializer.Open(ReadOnlyMemory<byte> payload, out int count)
    {
        var reader = new MessagePackReader(payload);
        try
        {
            count = reader.End ? 0 : reader.ReadArrayHeader();
            return new MqArgumentReader(reader);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new Errors.UnreadablePayloadException($"not a MessagePack array of its parameters: {ex.Message}", ex);
        }
    }
}
