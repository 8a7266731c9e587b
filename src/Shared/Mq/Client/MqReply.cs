using Mq.Errors;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>A successful reply to a request, or one part of a streamed or scatter-gather reply.</summary>
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

    /// <summary>False for a streamed part (<see cref="MqClient.RequestStreamAsync"/>); true for a server's whole reply.</summary>
    public bool IsFinal { get; internal init; } = true;

    /// <summary>The peer id of the server that answered (set by <see cref="MqClient.RequestManyAsync"/>), else null.</summary>
    public string? Responder { get; internal init; }

    /// <summary>
    /// Null for a reply. In a scatter-gather asked for failures (<see cref="RequestManyOptions.IncludeFailures"/>),
    /// a failed server's answer: the exception a single request to it would have thrown, with
    /// <see cref="Responder"/> naming the server and no data.
    /// </summary>
    public MqException? Failure { get; internal init; }

    /// <summary>Deserializes <see cref="Data"/> with the serializer its content type names.</summary>
    public T Deserialize<T>() => _serializers.Deserialize<T>(Headers, Data);

    /// <summary>The payload as JSON, whatever its content type.</summary>
    public string ToJson() => _serializers.ToJson(Headers, Data);
}
