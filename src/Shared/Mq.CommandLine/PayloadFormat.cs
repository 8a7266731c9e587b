using System.Text;
using System.Text.Json;
using System.Xml;
using Mq.Serialization;

namespace Mq.CommandLine;

/// <summary>
/// The <c>--content-type</c> a command sends with: MessagePack (the default, converted from the JSON or text
/// given), or JSON or XML, whose text is checked and sent as it is, in UTF-8.
/// </summary>
internal static class PayloadFormat
{
    /// <summary>What <c>--content-type</c> accepts: a short name or the media type.</summary>
    public static readonly string[] Names = ["msgpack", "json", "xml", MqContentTypes.MessagePack, MqContentTypes.Json, MqContentTypes.Xml];

    /// <summary>The media type for a name <c>--content-type</c> accepted.</summary>
    public static string MediaType(string name) => name switch
    {
        "msgpack" => MqContentTypes.MessagePack,
        "json" => MqContentTypes.Json,
        "xml" => MqContentTypes.Xml,
        _ => name,
    };

    /// <summary>True when the payload text is sent as it is (JSON, XML), not converted to MessagePack.</summary>
    public static bool IsText(string? mediaType) => mediaType is MqContentTypes.Json or MqContentTypes.Xml;

    /// <summary>The text as the payload of <paramref name="mediaType"/> (JSON or XML), once it is checked to be well-formed.</summary>
    /// <exception cref="BadPayloadException">It is not; the message names <paramref name="source"/> and where.</exception>
    public static byte[] Encode(string mediaType, string text, string source)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            if (mediaType == MqContentTypes.Json)
            {
                using JsonDocument document = JsonDocument.Parse(bytes);
            }
            else
            {
                using var reader = XmlReader.Create(new MemoryStream(bytes), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                while (reader.Read())
                {
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or XmlException)
        {
            throw new BadPayloadException($"{source} is not valid {(mediaType == MqContentTypes.Json ? "JSON" : "XML")}: {ex.Message}");
        }

        return bytes;
    }
}
