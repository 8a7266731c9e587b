using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MessagePack;
using Mq.Protocol;

namespace Mq.MicroBenchmarks;

/// <summary>The envelope: PUB as a client writes it, PUB as the broker reads it, MSG as the broker writes it.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private const string Subject = "orders.eu.created";

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly byte[] _subjectUtf8 = Encoding.UTF8.GetBytes(Subject);
    private byte[] _payload = [];
    private byte[] _pubFrame = [];

    [Params(128, 65_536)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[PayloadBytes];
        WritePub();
        _pubFrame = _buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int WritePub()
    {
        _buffer.ResetWrittenCount();
        var w = new MessagePackWriter(_buffer);
        CommandWriter.WritePub(ref w, Subject, null, _payload);
        w.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int ReadPub()
    {
        var reader = new CommandReader(_pubFrame);
        reader.ReadCommand();
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();
        return subject.Length + headers.Length + payload.Length;
    }

    [Benchmark]
    public int WriteMsg()
    {
        _buffer.ResetWrittenCount();
        var w = new MessagePackWriter(_buffer);
        CommandWriter.WriteMsg(ref w, 7, 42, _subjectUtf8, default, _payload);
        w.Flush();
        return _buffer.WrittenCount;
    }
}
