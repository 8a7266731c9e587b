using System.Text;
using System.Text.Json;
using Mq.Client;

namespace Mq.Subscriber.Output;

/// <summary>Renders received messages for a terminal or for scripts; payloads are shown as JSON.</summary>
internal static class MessageFormatter
{
    public static string Format(MqMessage message, OutputFormat format) =>
        format == OutputFormat.Json ? Json(message)
        : message.StreamSequence > 0 ? Text($"{message.Subject} #{message.StreamSequence}", message.ToJson(), message.Headers)
        : Text(message.Subject, message.ToJson(), message.Headers);

    /// <summary><c>[subject] payload-as-JSON</c>, then the headers when any: a message's line, or a served request's.</summary>
    public static string Text(string subject, string payloadJson, IReadOnlyDictionary<string, string>? headers)
    {
        var line = new StringBuilder().Append('[').Append(subject).Append("] ").Append(payloadJson);
        if (headers is { Count: > 0 })
        {
            line.Append("  ").Append(string.Join(' ', headers.Select(h => $"{h.Key}={h.Value}")));
        }

        return line.ToString();
    }

    private static string Json(MqMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("topic", message.Subject);
            writer.WriteNumber("seq", message.Sequence);
            if (message.StreamSequence > 0)
            {
                writer.WriteNumber("stream_seq", message.StreamSequence);
                writer.WriteString("stored_at", message.StoredAt!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }

            string payload = message.ToJson();
            writer.WritePropertyName("payload");
            if (IsJson(payload))
            {
                writer.WriteRawValue(payload, skipInputValidation: true);
            }
            else
            {
                // MessagePack's converter writes NaN and Infinity bare, which JSON cannot hold: the line stays valid.
                writer.WriteStringValue(payload);
            }

            if (message.Headers is { Count: > 0 } headers)
            {
                writer.WriteStartObject("headers");
                foreach (KeyValuePair<string, string> header in headers)
                {
                    writer.WriteString(header.Key, header.Value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool IsJson(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
