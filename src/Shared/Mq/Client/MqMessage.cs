using MessagePack;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>A message received on a subscription.</summary>
public sealed class MqMessage
{
    private readonly MessagePackSerializerOptions _serializerOptions;

    internal MqMessage(string subject, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, ulong sequence, MessagePackSerializerOptions serializerOptions)
    {
        Subject = subject;
        Headers = headers;
        Data = data;
        Sequence = sequence;
        _serializerOptions = serializerOptions;
    }

    /// <summary>The literal subject it was published on.</summary>
    public string Subject { get; }

    /// <summary>Headers the publisher set, or null.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; }

    /// <summary>The payload as published (MessagePack bytes, or raw bytes).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The broker's delivery number on this subscription, 1, 2, 3...; a gap means messages were dropped.</summary>
    public ulong Sequence { get; }

    /// <summary>Which session of its subscription delivered it: only the current session's messages are acknowledged.</summary>
    internal int Epoch { get; init; }

    /// <summary>Deserializes <see cref="Data"/> with the client's (untrusted-data) serializer options.</summary>
    public T Deserialize<T>() => MqSerializer.Deserialize<T>(Data, _serializerOptions);

    /// <summary>The payload as JSON (MessagePack's own conversion).</summary>
    public string ToJson() => MqSerializer.ToJson(Data, _serializerOptions);
}
