using System.Xml;
using System.Xml.Linq;
using Mq.Errors;

namespace Mq.Serialization;

/// <summary>A call's arguments read from an XML <c>arguments</c> element: each child is read as its parameter's type.</summary>
internal sealed class XmlArgumentList(XElement[] elements, XmlMqSerializer serializer) : ArgumentList<XElement>(elements)
{
    /// <exception cref="UnreadablePayloadException">The payload is not an <c>arguments</c> element.</exception>
    public static XmlArgumentList Parse(ReadOnlyMemory<byte> payload, XmlMqSerializer serializer)
    {
        if (payload.IsEmpty)
        {
            return new XmlArgumentList([], serializer);
        }

        try
        {
            using XmlDictionaryReader reader = XmlMqSerializer.CreateReader(payload);
            XElement root = XElement.Load(reader);
            if (root.Name != XName.Get(XmlArgumentWriter.Root, XmlArgumentWriter.Namespace))
            {
                throw new UnreadablePayloadException($"a <{root.Name.LocalName}> element, not the <{XmlArgumentWriter.Root} xmlns=\"{XmlArgumentWriter.Namespace}\"> element of its parameters");
            }

            return new XmlArgumentList([.. root.Elements()], serializer);
        }
        catch (XmlException ex)
        {
            throw new UnreadablePayloadException($"not an XML <{XmlArgumentWriter.Root}> element of its parameters: {ex.Message}", ex);
        }
    }

    public override T Read<T>(int index)
    {
        using XmlReader reader = Node(index).CreateReader();
        return (T)serializer.For(typeof(T)).ReadObject(reader)!;
    }
}
