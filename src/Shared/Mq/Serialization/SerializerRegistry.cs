using System.Collections.Concurrent;
using MessagePack;
using Mq.Errors;

namespace Mq.Serialization;

/// <summary>
/// A client's serializers: the one it sends with, and every one it reads by a payload's <c>content-type</c>
/// (MessagePack, JSON and XML always, plus those configured). Byte buffers pass through raw both ways, and an
/// empty payload reads as the default of a reference type, whatever the format.
/// </summary>
internal sealed class SerializerRegistry
{
    private readonly Dictionary<string, IMqSerializer> _byType = new(StringComparer.Ordinal);
    private readonly MessagePackMqSerializer _messagePack;

    // One read-only header map per content type, so a typed publish without headers of its own allocates none.
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _typeHeaders = new(StringComparer.Ordinal);

    public SerializerRegistry(IMqSerializer? sending, IEnumerable<IMqSerializer>? extra, MessagePackSerializerOptions messagePackOptions)
    {
        _messagePack = ReferenceEquals(messagePackOptions, MqSerializer.DefaultOptions) ? MessagePackMqSerializer.Default : new MessagePackMqSerializer(messagePackOptions);
        Sending = sending ?? _messagePack;
        foreach (IMqSerializer serializer in new[] { _messagePack, JsonMqSerializer.Default, XmlMqSerializer.Default, Sending }.Concat(extra ?? []))
        {
            _byType[MqContentTypes.MediaType(serializer.ContentType)] = serializer;
        }
    }

    /// <summary>What typed publishes, requests and replies are written with unless a call says otherwise.</summary>
    public IMqSerializer Sending { get; }

    /// <summary>The payload for <paramref name="value"/> and the headers to send with it: the caller's, plus the content type unless the value is raw bytes.</summary>
    public (ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, string>? Headers) Serialize<T>(T value, IMqSerializer? serializer, IReadOnlyDictionary<string, string>? headers)
    {
        if (RawPayload.TryWrap(value, out ReadOnlyMemory<byte> raw))
        {
            return (raw, headers);
        }

        serializer ??= Sending;
        return (serializer.Serialize(value), WithContentType(headers, serializer.ContentType));
    }

    /// <summary>Reads a payload by its headers' content type (none: MessagePack).</summary>
    /// <exception cref="UnreadablePayloadException">The payload is not a <typeparamref name="T"/>, or its content type has no serializer here.</exception>
    public T Deserialize<T>(IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> payload)
    {
        if (RawPayload.TryUnwrap(payload, out T raw))
        {
            return raw;
        }

        IMqSerializer serializer = For(headers) ?? throw new UnreadablePayloadException(
            $"the payload's content type '{headers![MqContentTypes.Header]}' has no serializer in this client (it reads {string.Join(", ", _byType.Keys)}; add one to MqClientOptions.Serializers)");
        try
        {
            return serializer.Deserialize<T>(payload);
        }
        catch (Exception ex) when (ex is not MqException)
        {
            throw new UnreadablePayloadException($"the {serializer.ContentType} payload could not be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>The payload as JSON by its content type; an unknown type shows the bytes.</summary>
    public string ToJson(IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> payload) =>
        payload.IsEmpty ? "null" : For(headers)?.ToJson(payload) ?? PayloadText.Base64(payload);

    /// <summary>The serializer for the headers' content type: MessagePack when there is none, null when it is unknown.</summary>
    public IMqSerializer? For(IReadOnlyDictionary<string, string>? headers) =>
        headers is null || !headers.TryGetValue(MqContentTypes.Header, out string? contentType) ? _messagePack
        : _byType.GetValueOrDefault(MqContentTypes.MediaType(contentType));

    /// <summary>
    /// What a remote-object call in these headers' content type is read and answered with: MessagePack, JSON or
    /// XML (the formats that can carry an argument list).
    /// </summary>
    /// <exception cref="UnreadablePayloadException">This client has no serializer for the content type, or it cannot carry arguments.</exception>
    public IArgumentListSerializer ArgumentsFor(IReadOnlyDictionary<string, string>? headers, string service) => For(headers) switch
    {
        IArgumentListSerializer format => format,
        null => throw new UnreadablePayloadException(
            $"the arguments of '{service}' are {headers![MqContentTypes.Header]}, which this server does not read (remote object calls are {ArgumentTypes()})"),
        var other => throw new UnreadablePayloadException(
            $"the arguments of '{service}' are {other.ContentType}, which cannot carry a remote object call's arguments (they are {ArgumentTypes()})"),
    };

    /// <summary>The argument-list serializer for a content type, or null when this client has none.</summary>
    public IArgumentListSerializer? ArgumentsFor(string contentType) =>
        _byType.GetValueOrDefault(MqContentTypes.MediaType(contentType)) as IArgumentListSerializer;

    /// <summary>What proxies write with when neither the proxy nor the contract says: the client's serializer if it can carry arguments, else MessagePack.</summary>
    public IArgumentListSerializer DefaultArguments => Sending as IArgumentListSerializer ?? _messagePack;

    /// <summary>Headers holding just the content type, shared (read-only).</summary>
    public IReadOnlyDictionary<string, string> ContentTypeHeaders(string contentType) => WithContentType(null, contentType);

    private string ArgumentTypes() => string.Join(", ", _byType.Where(p => p.Value is IArgumentListSerializer).Select(p => p.Key));

    private IReadOnlyDictionary<string, string> WithContentType(IReadOnlyDictionary<string, string>? headers, string contentType)
    {
        if (headers is null || headers.Count == 0)
        {
            return _typeHeaders.GetOrAdd(contentType, static type => new Dictionary<string, string>(1, StringComparer.Ordinal) { [MqContentTypes.Header] = type }.AsReadOnly());
        }

        // The serializer that wrote the payload names its format: a content type the caller set says otherwise at its peril.
        var merged = new Dictionary<string, string>(headers, StringComparer.Ordinal) { [MqContentTypes.Header] = contentType };
        return merged;
    }
}
