using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Mq.Serialization;

/// <summary>
/// XML shown as JSON for people and scripts: an element with child elements is an object (a name repeated among
/// siblings is an array), a leaf is its text, <c>i:nil="true"</c> is null; namespaces and attributes are left out.
/// XML has no number or boolean type, so leaves are strings.
/// </summary>
internal static class XmlJson
{
    private static readonly XNamespace Instance = "http://www.w3.org/2001/XMLSchema-instance";

    public static string Convert(ReadOnlyMemory<byte> payload, XmlDictionaryReaderQuotas quotas)
    {
        XElement root;
        try
        {
            using XmlDictionaryReader reader = XmlDictionaryReader.CreateTextReader(payload.ToArray(), quotas);
            root = XElement.Load(reader);
        }
        catch (XmlException)
        {
            return PayloadText.Base64(payload);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(root.Name.LocalName);
            Write(writer, root);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Write(Utf8JsonWriter writer, XElement element)
    {
        if ((string?)element.Attribute(Instance + "nil") == "true")
        {
            writer.WriteNullValue();
            return;
        }

        if (!element.HasElements)
        {
            writer.WriteStringValue(element.Value);
            return;
        }

        writer.WriteStartObject();
        foreach (IGrouping<string, XElement> children in element.Elements().GroupBy(e => e.Name.LocalName))
        {
            writer.WritePropertyName(children.Key);
            if (children.Skip(1).Any())
            {
                writer.WriteStartArray();
                foreach (XElement child in children)
                {
                    Write(writer, child);
                }

                writer.WriteEndArray();
            }
            else
            {
                Write(writer, children.First());
            }
        }

        writer.WriteEndObject();
    }
}
