namespace Mq.Serialization;

/// <summary>
/// Turns values into payloads and back in one format, named by its media type. The client sends that type in
/// each typed message's and request's <c>content-type</c> header (<see cref="MqContentTypes.Header"/>), and
/// receivers pick the serializer by it, so peers using different formats can share subjects and services.
/// Byte buffers never reach a serializer: they are payloads already and travel raw, with no content type.
/// </summary>
public interface IMqSerializer
{
    /// <summary>The media type sent in the <c>content-type</c> header, for example <c>application/json</c>.</summary>
    string ContentType { get; }

    /// <summary>The payload for <paramref name="value"/>.</summary>
    ReadOnlyMemory<byte> Serialize<T>(T value);

    /// <summary>Reads a <typeparamref name="T"/> from a non-empty payload of this format, which came off the wire and is untrusted.</summary>
    /// <exception cref="Errors.UnreadablePayloadException">The payload is not a <typeparamref name="T"/> in this format; the message says why.</exception>
    T Deserialize<T>(ReadOnlyMemory<byte> payload);

    /// <summary>The payload as JSON text, for command lines and logs; never throws for a malformed payload (it says what it holds instead).</summary>
    string ToJson(ReadOnlyMemory<byte> payload);
}
