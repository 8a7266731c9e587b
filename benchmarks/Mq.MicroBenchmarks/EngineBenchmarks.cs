using System.Buffers;
using BenchmarkDotNet.Attributes;
using MessagePack;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.MicroBenchmarks;

/// <summary>
/// The broker's per-message routing, socket-free as the unit tests drive it: a PUB frame in, MSG frames out
/// to each subscriber, flushed. Allocated bytes per operation are allocations per routed message (per
/// publish; with several subscribers one publish is several deliveries).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const uint Publisher = 1;
    private const string Subject = "orders.eu.created";
    private const int BatchSize = 100;
    private const long Now = 1_000;

    private BrokerEngine _engine = null!;
    private byte[] _single = [];
    private byte[] _batch = [];

    [Params(1, 4)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new BrokerEngine(new BrokerOptions(), new DiscardingSink(), NullLogger.Instance);
        Handshake(Publisher);
        for (uint key = 2; key < 2 + (uint)Subscribers; key++)
        {
            Handshake(key);
            _engine.OnFrame(key, Frame((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "orders.*.created", null)), Now);
        }

        byte[] payload = new byte[128];
        _single = Frame((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, Subject, null, payload));
        // The client's outbox batches many commands into one frame; this is that case.
        _batch = Frame((ref MessagePackWriter w) =>
        {
            for (int i = 0; i < BatchSize; i++)
            {
                CommandWriter.WritePub(ref w, Subject, null, payload);
            }
        });
        _engine.Flush(Now);
    }

    [Benchmark(Description = "one PUB per frame")]
    public void RouteOnePublish()
    {
        _engine.OnFrame(Publisher, _single, Now);
        _engine.Flush(Now);
    }

    [Benchmark(Description = "100 PUBs per frame", OperationsPerInvoke = BatchSize)]
    public void RouteBatchedPublishes()
    {
        _engine.OnFrame(Publisher, _batch, Now);
        _engine.Flush(Now);
    }

    private static byte[] Frame(FrameWrite write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private void Handshake(uint key)
    {
        _engine.OnConnected(key, "127.0.0.1", Now, Now);
        _engine.OnFrame(key, Frame((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, $"peer-{key}", null)), Now);
    }

    private delegate void FrameWrite(ref MessagePackWriter writer);
}
