using System.Buffers;
using System.Text.Json;
using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>A call's arguments as a JSON array, each element as System.Text.Json writes its parameter's type.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Complete disposes the writer, and the buffers are managed memory only: a call that never completes leaves nothing to release.")]
internal sealed class JsonArgumentWriter : MqArgumentWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _writer;
    private readonly JsonSerializerOptions _options;

    public JsonArgumentWriter(JsonSerializerOptions options)
    {
        _options = options;
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartArray();
    }

    public override void Write<T>(T value) => JsonSerializer.Serialize(_writer, value, _options);

    public override ReadOnlyMemory<byte> Complete()
    {
        _writer.WriteEndArray();
        _writer.Dispose();
        return _buffer.WrittenMemory;
    }
}
