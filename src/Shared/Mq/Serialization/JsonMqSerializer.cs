using System.Text;
using System.Text.Json;
using Mq.Errors;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>JSON text in UTF-8 (<c>application/json</c>) with System.Text.Json: for peers and tools that speak JSON.</summary>
/// <param name="options">Serializer options; the default is <see cref="JsonSerializerDefaults.Web"/> (camelCase names, case-insensitive reading).</param>
public sealed class JsonMqSerializer(JsonSerializerOptions? options = null) : IMqSerializer, IArgumentListSerializer
{
    /// <summary>With <see cref="JsonSerializerDefaults.Web"/>.</summary>
    public static readonly JsonMqSerializer Default = new();

    /// <summary>The options it serializes with.</summary>
    public JsonSerializerOptions Options { get; } = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public string ContentType => MqContentTypes.Json;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload.Span, Options)!;
        }
        catch (JsonException ex)
        {
            throw new UnreadablePayloadException($"the JSON payload could not be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public string ToJson(ReadOnlyMemory<byte> payload)
    {
        var reader = new Utf8JsonReader(payload.Span);
        try
        {
            while (reader.Read())
            {
            }

            return Encoding.UTF8.GetString(payload.Span);
        }
        catch (JsonException)
        {
            return PayloadText.Base64(payload);
        }
    }

    MqArgumentWriter IArgumentListSerializer.CreateWriter(int count) => new JsonArgumentWriter(Options);

    MqArgumentReader IArgumentListSerializer.Open(ReadOnlyMemory<byte> payload, out int count)
    {
        JsonArgumentList list = JsonArgumentList.Parse(payload, Options);
        count = list.Count;
        return new MqArgumentReader(list);
    }
}
