using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>A <see cref="BrokerEngine"/> with no sockets: frames in by connection key, frames out recorded per key.</summary>
internal sealed class EngineHarness : IFrameSink
{
    private readonly Dictionary<uint, Queue<(CommandCode Code, byte[] Frame, int Index)>> _received = [];

    public EngineHarness(BrokerOptions? options = null) => Engine = new BrokerEngine(options ?? new BrokerOptions(), this, NullLogger.Instance);

    public delegate void Write(ref MessagePackWriter writer);

    public BrokerEngine Engine { get; }

    public long Now { get; set; } = 1_000;

    public SendOutcome Outcome { get; set; } = SendOutcome.Sent;

    public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame)
    {
        if (Outcome != SendOutcome.Sent)
        {
            return Outcome;
        }

        byte[] copy = frame.ToArray();
        var reader = new CommandReader(copy);
        for (int index = 0; !reader.End; index++)
        {
            Inbox(session.Key).Enqueue((reader.ReadCommand(), copy, index));
            reader.SkipCommand();
        }

        return SendOutcome.Sent;
    }

    /// <summary>Feeds one frame from connection <paramref name="key"/> and flushes the engine's output.</summary>
    public void From(uint key, Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        FromRaw(key, buffer.WrittenSpan.ToArray());
    }

    public void FromRaw(uint key, byte[] frame)
    {
        Engine.OnFrame(key, [0, (byte)key, 0, 0, 0], frame, Now);
        Engine.Flush(Now);
    }

    public void Tick(long advanceMs)
    {
        Now += advanceMs;
        Engine.OnTick(Now);
        Engine.Flush(Now);
    }

    /// <summary>A connection that has completed the handshake, with its WELCOME consumed.</summary>
    public void Connect(uint key, string name = "peer")
    {
        From(key, (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, name, null));
        Expect(key, CommandCode.Welcome);
    }

    /// <summary>The next command sent to <paramref name="key"/>, which must have code <paramref name="code"/>; its reader starts after the code.</summary>
    public CommandReader Expect(uint key, CommandCode code)
    {
        Assert.True(Inbox(key).TryDequeue(out var next), $"nothing was sent to connection {key}; expected {code}");
        Assert.Equal(code, next.Code);
        var reader = new CommandReader(next.Frame);
        for (int i = 0; i < next.Index; i++)
        {
            reader.ReadCommand();
            reader.SkipCommand();
        }

        reader.ReadCommand();
        return reader;
    }

    public ErrorCode ExpectError(uint key, out string message)
    {
        CommandReader reader = Expect(key, CommandCode.Error);
        reader.ReadUInt();
        var code = (ErrorCode)reader.ReadUInt();
        message = reader.ReadString(4096);
        return code;
    }

    public (ErrorCode Status, string? Error, byte[] Payload) ExpectReply(uint key, ulong rid)
    {
        CommandReader reader = Expect(key, CommandCode.Reply);
        Assert.Equal(rid, reader.ReadUInt());
        var status = (ErrorCode)reader.ReadUInt();
        string? error = reader.ReadStringOrNil(4096);
        reader.ReadHeadersRaw();
        return (status, error, reader.ReadBinary().ToArray());
    }

    public bool Idle(uint key) => Inbox(key).Count == 0;

    public IEnumerable<CommandCode> Pending(uint key) => Inbox(key).Select(c => c.Code);

    private Queue<(CommandCode Code, byte[] Frame, int Index)> Inbox(uint key)
    {
        if (!_received.TryGetValue(key, out var inbox))
        {
            inbox = new Queue<(CommandCode, byte[], int)>();
            _received[key] = inbox;
        }

        return inbox;
    }
}
