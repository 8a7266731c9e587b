using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Xml;
using Mq.Errors;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>
/// XML (<c>application/xml</c>) written and read by DataContractSerializer, in UTF-8. What it reads is untrusted:
/// the reader refuses DTDs (so no entity expansion or external entities) and bounds depth and sizes.
/// </summary>
public sealed class XmlMqSerializer : IMqSerializer, IArgumentListSerializer
{
    /// <summary>The shared instance.</summary>
    public static readonly XmlMqSerializer Default = new();

    // Sizes are already bounded by the payload limit the frame passed; depth and the name table are what a
    // small hostile payload could still blow up.
    private static readonly XmlDictionaryReaderQuotas Quotas = new()
    {
        MaxDepth = 64,
        MaxArrayLength = int.MaxValue,
        MaxStringContentLength = int.MaxValue,
        MaxBytesPerRead = int.MaxValue,
        MaxNameTableCharCount = 64 * 1024,
    };

    private readonly ConcurrentDictionary<Type, DataContractSerializer> _serializers = new();

    /// <inheritdoc/>
    public string ContentType => MqContentTypes.Xml;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Serialize<T>(T value)
    {
        using var buffer = new MemoryStream();
        using (XmlDictionaryWriter writer = XmlDictionaryWriter.CreateTextWriter(buffer, System.Text.Encoding.UTF8, ownsStream: false))
        {
            For(typeof(T)).WriteObject(writer, value);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using XmlDictionaryReader reader = CreateReader(payload);
            return (T)For(typeof(T)).ReadObject(reader)!;
        }
        catch (Exception ex) when (ex is SerializationException or XmlException or InvalidCastException)
        {
            throw new UnreadablePayloadException($"the XML payload could not be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public string ToJson(ReadOnlyMemory<byte> payload) => XmlJson.Convert(payload, Quotas);

    MqArgumentWriter IArgumentListSerializer.CreateWriter(int count) => new XmlArgumentWriter(this);

    MqArgumentReader IArgumentListSerializer.Open(ReadOnlyMemory<byte> payload, out int count)
    {
        XmlArgumentList list = XmlArgumentList.Parse(payload, this);
        count = list.Count;
        return new MqArgumentReader(list);
    }

    /// <summary>A reader of untrusted XML: no DTDs (so no entity expansion or external entities), bounded depth.</summary>
    internal static XmlDictionaryReader CreateReader(ReadOnlyMemory<byte> payload) => XmlDictionaryReader.CreateTextReader(payload.ToArray(), Quotas);

    internal DataContractSerializer For(Type type) => _serializers.GetOrAdd(type, static t => new DataContractSerializer(t));
}
