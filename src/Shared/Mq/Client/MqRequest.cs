using Mq.Serialization;

namespace Mq.Client;

/// <summary>A request handed to a service handler. The handler's return value is the reply.</summary>
public sealed class MqRequest
{
    private readonly SerializerRegistry _serializers;
    private Dictionary<string, string>? _replyHeaders;

    internal MqRequest(ulong brokerId, string service, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, DateTimeOffset deadline, SerializerRegistry serializers)
    {
        BrokerId = brokerId;
        Service = service;
        Headers = headers;
        Data = data;
        Deadline = deadline;
        _serializers = serializers;
    }

    public string Service { get; }

    public IReadOnlyDictionary<string, string>? Headers { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>When the requester stops waiting; the handler's cancellation token fires then.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Headers to send back with the reply (created on first use).</summary>
    public IDictionary<string, string> ReplyHeaders => _replyHeaders ??= new Dictionary<string, string>(StringComparer.Ordinal);

    internal ulong BrokerId { get; }

    internal IReadOnlyDictionary<string, string>? ReplyHeadersOrNull => _replyHeaders;

    /// <summary>The request's media type from its <c>content-type</c> header; null means MessagePack (or raw bytes).</summary>
    public string? ContentType => Headers?.GetValueOrDefault(MqContentTypes.Header);

    /// <summary>Deserializes <see cref="Data"/> with the serializer its content type names.</summary>
    public T Deserialize<T>() => _serializers.Deserialize<T>(Headers, Data);

    /// <summary>The payload as JSON, whatever its content type.</summary>
    public string ToJson() => _serializers.ToJson(Headers, Data);

    /// <summary>
    /// The reply payload for <paramref name="value"/>, answering in kind: in the request's format when this client
    /// reads it (so a JSON requester gets JSON), else in the client's own; the reply headers name it.
    /// </summary>
    internal ReadOnlyMemory<byte> SerializeReply<T>(T value)
    {
        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = _serializers.Serialize(value, _serializers.For(Headers), null);
        if (headers?.GetValueOrDefault(MqContentTypes.Header) is { } contentType)
        {
            ReplyHeaders[MqContentTypes.Header] = contentType;
        }

        return payload;
    }
}
