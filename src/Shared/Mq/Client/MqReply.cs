using MessagePack;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>A successful reply to a request, or one part of a streamed or scatter-gather reply.</summary>
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

    /// <summary>False for a streamed part (<see cref="MqClient.RequestStreamAsync"/>); true for a server's whole reply.</summary>
    public bool IsFinal { get; internal init; } = true;

    /// <summary>The peer id of the server that answered (set by <see cref="MqClient.RequestManyAsync"/>), else null.</summary>
    public string? Responder { get; internal init; }

    public T Deserialize<T>() => MqSerializer.Deserialize<T>(Data, _serializerOptions);

    public string ToJson() => MqSerializer.ToJson(Data, _serializerOptions);
}
