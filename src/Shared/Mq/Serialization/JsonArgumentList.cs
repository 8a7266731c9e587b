using System.Text.Json;
using Mq.Errors;

namespace Mq.Serialization;

/// <summary>A call's arguments read from a JSON array: each element is deserialized as its parameter's type.</summary>
internal sealed class JsonArgumentList(JsonElement[] elements, JsonSerializerOptions options) : ArgumentList<JsonElement>(elements)
{
    /// <exception cref="UnreadablePayloadException">The payload is not a JSON array.</exception>
    public static JsonArgumentList Parse(ReadOnlyMemory<byte> payload, JsonSerializerOptions options)
    {
        if (payload.IsEmpty)
        {
            return new JsonArgumentList([], options);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = options.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new UnreadablePayloadException($"a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not a JSON array of its parameters");
            }

            return new JsonArgumentList([.. document.RootElement.EnumerateArray().Select(e => e.Clone())], options);
        }
        catch (JsonException ex)
        {
            throw new UnreadablePayloadException($"not a JSON array of its parameters: {ex.Message}", ex);
        }
    }

    public override T Read<T>(int index) => Node(index).Deserialize<T>(options)!;
}
