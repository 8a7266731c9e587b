using MessagePack;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>A request handed to a service handler. The handler's return value is the reply.</summary>
public sealed class MqRequest
{
    private readonly MessagePackSerializerOptions _serializerOptions;
    private Dictionary<string, string>? _replyHeaders;

    internal MqRequest(ulong brokerId, string service, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, DateTimeOffset deadline, MessagePackSerializerOptions serializerOptions)
    {
        BrokerId = brokerId;
        Service = service;
        Headers = headers;
        Data = data;
        Deadline = deadline;
        _serializerOptions = serializerOptions;
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

    public T Deserialize<T>() => MqSerializer.Deserialize<T>(Data, _serializerOptions);

    public string ToJson() => MqSerializer.ToJson(Data, _serializerOptions);
}
