using System.Buffers;
using MessagePack;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>A call's arguments as a MessagePack array, each element as MessagePack writes its parameter's type.</summary>
internal sealed class MessagePackArgumentWriter : MqArgumentWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly MessagePackSerializerOptions _options;

    public MessagePackArgumentWriter(int count, MessagePackSerializerOptions options)
    {
        _options = options;
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(count);
        writer.Flush();
    }

    public override void Write<T>(T value)
    {
        var writer = new MessagePackWriter(_buffer);
        MessagePackSerializer.Serialize(ref writer, value, _options);
        writer.Flush();
    }

    public override ReadOnlyMemory<byte> Complete() => _buffer.WrittenMemory;
}
