using Mq.Serialization;

namespace Mq.Client;

/// <summary>A message received on a subscription.</summary>
public sealed class MqMessage
{
    private readonly SerializerRegistry _serializers;

    internal MqMessage(string subject, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, ulong sequence, SerializerRegistry serializers)
    {
        Subject = subject;
        Headers = headers;
        Data = data;
        Sequence = sequence;
        _serializers = serializers;
    }

    /// <summary>The literal subject it was published on.</summary>
    public string Subject { get; }

    /// <summary>Headers the publisher set, or null.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; }

    /// <summary>The payload as published (MessagePack bytes, or raw bytes).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The broker's delivery number on this subscription, 1, 2, 3...; a gap means messages were dropped.</summary>
    public ulong Sequence { get; }

    /// <summary>Its sequence in the stream it was read from (a stream consumer's message), else 0.</summary>
    public ulong StreamSequence { get; init; }

    /// <summary>When its stream stored it (a stream consumer's message), else null.</summary>
    public DateTimeOffset? StoredAt { get; init; }

    /// <summary>How many times a durable consumer got it (1 the first time), else 0.</summary>
    public int Deliveries { get; init; }

    /// <summary>The durable consumer it came to, which <see cref="AckAsync"/> answers.</summary>
    internal MqSubscription? Consumer { get; init; }

    /// <summary>
    /// A durable consumer's message is done: the broker frees its place in the window and the consumer's position may move
    /// past it. A message not acknowledged in time is delivered again. Nothing to do for any other message.
    /// </summary>
    public ValueTask AckAsync()
    {
        Consumer?.Acknowledge(StreamSequence);
        return ValueTask.CompletedTask;
    }

    /// <summary>Which session of its subscription delivered it: only the current session's messages are acknowledged.</summary>
    internal int Epoch { get; init; }

    /// <summary>The payload's media type from its <c>content-type</c> header; null means MessagePack (or raw bytes).</summary>
    public string? ContentType => Headers?.GetValueOrDefault(MqContentTypes.Header);

    /// <summary>Deserializes <see cref="Data"/> with the serializer its content type names (untrusted data).</summary>
    /// <exception cref="Errors.UnreadablePayloadException">It is not a <typeparamref name="T"/>, or this client has no serializer for its content type.</exception>
    public T Deserialize<T>() => _serializers.Deserialize<T>(Headers, Data);

    /// <summary>The payload as JSON, whatever its content type (XML leaves become strings; unknown formats show their bytes).</summary>
    public string ToJson() => _serializers.ToJson(Headers, Data);
}
