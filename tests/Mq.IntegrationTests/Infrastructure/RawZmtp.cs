using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MessagePack;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A ZMTP peer written byte by byte over a plain TCP socket, from a chosen loopback source address (all of
/// 127.0.0.0/8 reaches the broker on Linux), as an attacker or a peer in another language would; or over a Unix
/// socket for a <c>unix:///path</c> endpoint, which carries the same bytes.
/// </summary>
public sealed class RawZmtp : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _received = [];
    private readonly Queue<ReceivedCommand> _unread = new();
    private bool _greetingRead;
    private PeerChannelEnd? _channel;

    private RawZmtp(Socket socket) => _socket = socket;

    /// <summary>The far end of a connection this test accepted: it plays the broker's side with the same framing.</summary>
    public static RawZmtp Accepted(Socket socket) => new(socket);

    public static async Task<RawZmtp> ConnectAsync(string endpoint, IPAddress? source = null, CancellationToken cancellationToken = default)
    {
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(endpoint["unix://".Length..]), cancellationToken);
                return new RawZmtp(unix);
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        var uri = new Uri(endpoint.Replace("tcp://", "http://", StringComparison.Ordinal));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(IPAddress.Parse(uri.Host), uri.Port, cancellationToken);
            return new RawZmtp(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One Mq frame: the commands <paramref name="write"/> produces, as a ZMTP message frame.</summary>
    public static byte[] MqFrame(RawPeer.Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return ZmtpBytes.Frame(buffer.WrittenSpan.ToArray());
    }

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken = default) =>
        await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);

    /// <summary>
    /// After <see cref="HandshakeAsync"/>: reads CONNECTED and opens the secure channel with the broker holding
    /// <paramref name="brokerPublicKeyZ85"/>'s secret; <see cref="SendMqAsync"/> then seals and <see cref="ReadMqAsync"/> opens.
    /// </summary>
    public async Task SecureAsync(string brokerPublicKeyZ85, TimeSpan timeout)
    {
        byte[] connected = await ReadMqAsync(timeout) ?? throw new IOException("the broker closed the connection before CONNECTED");
        var channel = new PeerChannelEnd(brokerPublicKeyZ85, connected);
        await SendAsync(ZmtpBytes.Frame(channel.FirstFrame));
        channel.Complete(await ReadMqAsync(timeout) ?? throw new IOException("the broker closed the connection before SECURE"));
        _channel = channel;
    }

    /// <summary>Sends one Mq frame, sealed once the secure channel is up.</summary>
    public async Task SendMqAsync(RawPeer.Write write, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        await SendAsync(ZmtpBytes.Frame(_channel is null ? buffer.WrittenSpan.ToArray() : _channel.Seal(buffer.WrittenSpan)), cancellationToken);
    }

    /// <summary>The next Mq frame (ZMTP commands skipped), opened once the secure channel is up; null once the broker closed.</summary>
    public async Task<byte[]?> ReadMqAsync(TimeSpan timeout)
    {
        while (await ReadFrameAsync(timeout) is (byte flags, byte[] body))
        {
            if ((flags & 0x04) == 0)
            {
                return _channel is null ? body : _channel.Open(body);
            }
        }

        return null;
    }

    /// <summary>The next Mq command, from the frame being read or the next one (the broker batches several in a frame).</summary>
    public async Task<ReceivedCommand> NextCommandAsync(TimeSpan timeout)
    {
        while (_unread.Count == 0)
        {
            byte[] frame = await ReadMqAsync(timeout) ?? throw new IOException("the broker closed the connection");
            var reader = new CommandReader(frame);
            for (int index = 0; !reader.End; index++)
            {
                _unread.Enqueue(new ReceivedCommand(frame, index, reader.ReadCommand()));
                reader.SkipCommand();
            }
        }

        return _unread.Dequeue();
    }

    /// <summary>The next command with <paramref name="code"/>, skipping any other (heartbeats, credit...).</summary>
    public async Task<ReceivedCommand> ExpectAsync(CommandCode code, TimeSpan timeout)
    {
        var seen = new List<CommandCode>();
        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested)
        {
            ReceivedCommand command = await NextCommandAsync(timeout);
            if (command.Code == code)
            {
                return command;
            }

            seen.Add(command.Code);
        }

        throw new TimeoutException($"no {code} arrived in time; saw [{string.Join(", ", seen)}]");
    }

    /// <summary>The ZMTP handshake, CONNECTED, then HELLO; returns the broker's answer to it (WELCOME, CHALLENGE or ERROR).</summary>
    public async Task<ReceivedCommand> HelloAsync(string name, TimeSpan timeout)
    {
        await HandshakeAsync(timeout);
        await ExpectAsync(CommandCode.Connected, timeout);
        await SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, name, null));
        while (true)
        {
            ReceivedCommand answer = await NextCommandAsync(timeout);
            if (answer.Code is CommandCode.Welcome or CommandCode.Challenge or CommandCode.Error)
            {
                return answer;
            }
        }
    }

    /// <summary>Greeting and READY, then reads the broker's greeting and READY.</summary>
    public async Task HandshakeAsync(TimeSpan timeout, byte[]? identity = null)
    {
        await SendAsync([.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready(identity: identity)]);
        (byte flags, byte[] body) = await ReadFrameAsync(timeout) ?? throw new IOException("the broker closed the connection in the handshake");
        if ((flags & 0x04) == 0 || body[0] != 5 || !body.AsSpan(1, 5).SequenceEqual("READY"u8))
        {
            throw new IOException("the broker's first frame is not READY");
        }
    }

    /// <summary>The next frame after the broker's greeting (which is read and checked first), or null once the broker closed.</summary>
    public async Task<(byte Flags, byte[] Body)?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        if (!_greetingRead)
        {
            if (!await FillAsync(64, cts.Token))
            {
                return null;
            }

            if (_received[0] != 0xFF || _received[9] != 0x7F || _received[10] != 3)
            {
                throw new IOException("the broker's greeting is not ZMTP 3");
            }

            _received.RemoveRange(0, 64);
            _greetingRead = true;
        }

        if (!await FillAsync(2, cts.Token))
        {
            return null;
        }

        bool longFrame = (_received[0] & 0x02) != 0;
        int header = longFrame ? 9 : 2;
        if (!await FillAsync(header, cts.Token))
        {
            return null;
        }

        int size = longFrame ? checked((int)BinaryPrimitives.ReadUInt64BigEndian(_received.GetRange(1, 8).ToArray())) : _received[1];
        if (!await FillAsync(header + size, cts.Token))
        {
            return null;
        }

        byte flags = _received[0];
        byte[] body = _received.GetRange(header, size).ToArray();
        _received.RemoveRange(0, header + size);
        return (flags, body);
    }

    /// <summary>
    /// Reads until the broker closes the connection; returns how long that took and the bytes received. Throws
    /// <see cref="TimeoutException"/> when the connection is still open after <paramref name="window"/>.
    /// </summary>
    public async Task<(TimeSpan Elapsed, int Bytes)> ReadUntilClosedAsync(TimeSpan window)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(window);
        byte[] buffer = new byte[16 * 1024];
        int total = _received.Count;
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                total += read;
            }
        }
        catch (SocketException)
        {
            // Reset by the broker: closed too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the broker kept the connection open for {window}");
        }

        return (clock.Elapsed, total);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _channel?.Dispose();
    }

    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16 * 1024];
        while (_received.Count < count)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            _received.AddRange(buffer.AsSpan(0, read));
        }

        return true;
    }
}
