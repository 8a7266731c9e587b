using System.Text;
using System.Xml;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>
/// A call's arguments as one <c>arguments</c> element (namespace <c>urn:mq:rpc</c>) holding one element per argument,
/// each as DataContractSerializer writes its parameter's type.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Complete disposes the writer, and the buffers are managed memory only: a call that never completes leaves nothing to release.")]
internal sealed class XmlArgumentWriter : MqArgumentWriter
{
    public const string Root = "arguments";
    public const string Namespace = "urn:mq:rpc";

    private readonly MemoryStream _buffer = new();
    private readonly XmlDictionaryWriter _writer;
    private readonly XmlMqSerializer _serializer;

    public XmlArgumentWriter(XmlMqSerializer serializer)
    {
        _serializer = serializer;
        _writer = XmlDictionaryWriter.CreateTextWriter(_buffer, Encoding.UTF8, ownsStream: false);
        _writer.WriteStartElement(Root, Namespace);
    }

    public override void Write<T>(T value) => _serializer.For(typeof(T)).WriteObject(_writer, value);

    public override ReadOnlyMemory<byte> Complete()
    {
        _writer.WriteEndElement();
        _writer.Dispose();
        return _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length);
    }
}
