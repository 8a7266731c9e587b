using System.Buffers;
using MessagePack;
using Mq.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A bare DEALER speaking the wire protocol by hand, as a peer written in another language would, or as an
/// attacker would. Used from one test at a time, never concurrently (NetMQ sockets are not thread-safe).
/// After <see cref="Secure"/>, every frame it sends is sealed and every frame it receives opened.
/// </summary>
public sealed class RawPeer : IDisposable
{
    private readonly DealerSocket _socket = new();
    private readonly Queue<ReceivedCommand> _unread = new();
    private PeerChannelEnd? _channel;

    public RawPeer(string endpoint, Action<DealerSocket>? configure = null)
    {
        configure?.Invoke(_socket);
        _socket.Options.Linger = TimeSpan.Zero;
        _socket.Connect(endpoint);
    }

    public delegate void Write(ref MessagePackWriter writer);

    /// <summary>Sends one frame holding the commands <paramref name="write"/> produces.</summary>
    public void Send(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        if (_channel is null)
        {
            SendRaw(buffer.WrittenSpan.ToArray());
            return;
        }

        SendRaw(_channel.Seal(buffer.WrittenSpan));
    }

    /// <summary>The secure channel's handshake hash, which an identity proof signs.</summary>
    public byte[] HandshakeHash => _channel?.HandshakeHash ?? throw new InvalidOperationException("no secure channel");

    /// <summary>
    /// Answers the broker's CONNECTED (which must be the next frame) with SECURE and completes the secure channel
    /// with a broker holding <paramref name="brokerPublicKeyZ85"/>'s secret key.
    /// </summary>
    public void Secure(string brokerPublicKeyZ85)
    {
        DateTime deadline = DateTime.UtcNow + Waits.Default;
        byte[] connected = ReceiveFrame(deadline) ?? throw new TimeoutException("no CONNECTED arrived in time");
        var channel = new PeerChannelEnd(brokerPublicKeyZ85, connected);
        SendRaw(channel.FirstFrame);
        channel.Complete(ReceiveFrame(deadline) ?? throw new TimeoutException("no SECURE arrived in time"));
        _channel = channel;
    }

    public void SendRaw(byte[] frame) => _socket.SendFrame(frame);

    /// <summary>Receives the next command whose code is <paramref name="code"/>, skipping others; returns its reader positioned after the code.</summary>
    public ReceivedCommand Expect(CommandCode code, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? Waits.Default);
        var seen = new List<CommandCode>();
        while (NextCommand(deadline) is { } command)
        {
            seen.Add(command.Code);
            if (command.Code == code)
            {
                return command;
            }
        }

        throw new TimeoutException($"no {code} arrived in time; saw [{string.Join(", ", seen)}]");
    }

    /// <summary>The next command, whatever it is, or fails after <paramref name="timeout"/>.</summary>
    public ReceivedCommand Next(TimeSpan? timeout = null) =>
        NextCommand(DateTime.UtcNow + (timeout ?? Waits.Default)) ?? throw new TimeoutException("no command arrived in time");

    /// <summary>Receives up to and including the next command whose code is <paramref name="code"/>; returns the codes of all of them, in order.</summary>
    public List<CommandCode> ReadUntil(CommandCode code, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? Waits.Default);
        var seen = new List<CommandCode>();
        while (NextCommand(deadline) is { } command)
        {
            seen.Add(command.Code);
            if (command.Code == code)
            {
                return seen;
            }
        }

        throw new TimeoutException($"no {code} arrived in time; saw [{string.Join(", ", seen)}]");
    }

    /// <summary>True if nothing but <paramref name="allowed"/> arrives within <paramref name="window"/>.</summary>
    public bool ReceivesNothingBut(CommandCode allowed, TimeSpan window)
    {
        DateTime deadline = DateTime.UtcNow + window;
        while (NextCommand(deadline) is { } command)
        {
            if (command.Code != allowed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The next command if one is waiting; never blocks.</summary>
    public bool TryNext(out ReceivedCommand? command)
    {
        command = NextCommand(DateTime.UtcNow);
        return command is not null;
    }

    /// <summary>Connects, answers CONNECTED with HELLO and returns the WELCOME.</summary>
    public ReceivedCommand Handshake(string name = "raw", int version = ProtocolVersion.Current)
    {
        Expect(CommandCode.Connected);
        Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, version, name, null));
        return Expect(CommandCode.Welcome);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _channel?.Dispose();
    }

    private byte[]? ReceiveFrame(DateTime deadline)
    {
        TimeSpan left = deadline - DateTime.UtcNow;
        return _socket.TryReceiveFrameBytes(left > TimeSpan.Zero ? left : TimeSpan.Zero, out byte[]? frame) ? frame : null;
    }

    /// <summary>The next command, from the frame being read or the next frame; the broker batches several into one.</summary>
    private ReceivedCommand? NextCommand(DateTime deadline)
    {
        if (_unread.Count > 0)
        {
            return _unread.Dequeue();
        }

        byte[]? frame = ReceiveFrame(deadline);
        if (frame is null)
        {
            return null;
        }

        if (_channel is not null)
        {
            frame = _channel.Open(frame);
        }

        var reader = new CommandReader(frame);
        for (int index = 0; !reader.End; index++)
        {
            _unread.Enqueue(new ReceivedCommand(frame, index, reader.ReadCommand()));
            reader.SkipCommand();
        }

        return _unread.Count > 0 ? _unread.Dequeue() : null;
    }
}

/// <summary>One command inside a received frame; <see cref="Reader"/> starts after its code.</summary>
public sealed class ReceivedCommand(byte[] frame, int index, CommandCode code)
{
    public CommandCode Code { get; } = code;

    public CommandReader Reader()
    {
        var reader = new CommandReader(frame);
        for (int i = 0; i < index; i++)
        {
            reader.ReadCommand();
            reader.SkipCommand();
        }

        reader.ReadCommand();
        return reader;
    }
}
