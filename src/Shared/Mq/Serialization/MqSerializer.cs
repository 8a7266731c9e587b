using System.Text;
using System.Text.Json;
using MessagePack;
using MessagePack.Resolvers;
using Mq.Errors;

namespace Mq.Serialization;

/// <summary>
/// MessagePack settings for payloads. Anything read off the wire is untrusted, so the default options guard
/// against hostile input (depth limits, collision-resistant hashing) as MessagePack-CSharp recommends.
/// </summary>
public static class MqSerializer
{
    /// <summary>Standard resolvers with <see cref="MessagePackSecurity.UntrustedData"/>.</summary>
    public static readonly MessagePackSerializerOptions DefaultOptions =
        MessagePackSerializerOptions.Standard
            .WithResolver(StandardResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// Serializes <paramref name="value"/>. Byte buffers (<c>byte[]</c>, <c>Memory</c>, <c>ReadOnlyMemory</c>,
    /// <c>ArraySegment</c> of bytes) are payloads already and pass through raw, so the generic overloads never
    /// wrap them by surprise.
    /// </summary>
    public static ReadOnlyMemory<byte> Serialize<T>(T value, MessagePackSerializerOptions options)
    {
        if (RawPayload.TryWrap(value, out ReadOnlyMemory<byte> raw))
        {
            return raw;
        }

        // MessagePack writes into its pooled buffers and copies out exactly the bytes written: an int is one byte,
        // not the growing buffer a writer of our own would leave behind.
        return MessagePackSerializer.Serialize(value, options);
    }

    /// <summary>
    /// Deserializes a payload; byte buffers are returned raw. An empty payload (a request with no body) is the
    /// default of a reference or nullable type; for other types it is an error.
    /// </summary>
    /// <exception cref="UnreadablePayloadException">The payload is not a <typeparamref name="T"/>; the message names the type and says why.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> payload, MessagePackSerializerOptions options)
    {
        if (RawPayload.TryUnwrap(payload, out T raw))
        {
            return raw;
        }

        try
        {
            return MessagePackSerializer.Deserialize<T>(payload, options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new UnreadablePayloadException($"the payload could not be read as {typeof(T).Name}: {Innermost(ex).Message}{Hint<T>(payload)}", ex);
        }
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    /// <summary>The common mismatch spelled out: a map (JSON object) for a contract with integer keys, which MessagePack writes as an array.</summary>
    private static string Hint<T>(ReadOnlyMemory<byte> payload)
    {
        bool map = !payload.IsEmpty && payload.Span[0] is (>= 0x80 and <= 0x8f) or 0xde or 0xdf;
        bool integerKeys = typeof(T).GetCustomAttributes(typeof(MessagePackObjectAttribute), inherit: false).Length > 0
            && typeof(T).GetMembers().Any(m => m.GetCustomAttributes(typeof(KeyAttribute), inherit: true).OfType<KeyAttribute>().Any(k => k.IntKey is not null));
        return map && integerKeys
            ? $" (the payload is a map, but {typeof(T).Name} has integer [Key]s and reads an array; give it string keys, [Key(\"id\")], to accept a JSON object)"
            : "";
    }

    /// <summary>
    /// JSON text as a MessagePack payload (MessagePack's own conversion), for command lines and tests. The text is
    /// checked strictly first: MessagePack's converter accepts broken JSON (a trailing comma, an unclosed array,
    /// text after the value), turns an integer beyond 64 bits into a string and a number beyond a double's range
    /// into infinity.
    /// </summary>
    /// <exception cref="JsonException">The text is not exactly one valid JSON value, or holds a number MessagePack cannot; the message says where.</exception>
    public static byte[] FromJson(string json, MessagePackSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && !FitsMessagePack(ref reader))
            {
                throw new JsonException($"the number {Encoding.UTF8.GetString(reader.ValueSpan)} at byte {reader.TokenStartIndex} does not fit a 64-bit integer or a double");
            }
        }

        return MessagePackSerializer.ConvertFromJson(json, options ?? DefaultOptions);
    }

    private static bool FitsMessagePack(ref Utf8JsonReader number) =>
        number.ValueSpan.IndexOfAny(".eE"u8) >= 0
            ? number.TryGetDouble(out double value) && double.IsFinite(value)
            : number.TryGetInt64(out _) || number.TryGetUInt64(out _);

    /// <summary>A payload as JSON, for logs and command lines; raw bytes that are not MessagePack come back as a base64 string.</summary>
    public static string ToJson(ReadOnlyMemory<byte> payload, MessagePackSerializerOptions? options = null)
    {
        if (payload.IsEmpty)
        {
            return "null";
        }

        try
        {
            var reader = new MessagePackReader(payload);
            reader.Skip();
            if (reader.End)
            {
                return MessagePackSerializer.ConvertToJson(payload, options ?? DefaultOptions);
            }
        }
        catch (MessagePackSerializationException)
        {
        }
        catch (EndOfStreamException)
        {
        }

        return PayloadText.Base64(payload);
    }
}
