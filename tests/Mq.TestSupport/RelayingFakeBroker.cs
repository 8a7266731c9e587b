using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mq.TestSupport;

/// <summary>
/// The man in the middle of issue #11: a fake broker that speaks ZMTP 3 (NULL) to each peer as a real broker would,
/// opens its own ZMTP 3 connection to the real broker, relays every message frame both ways, records every byte the
/// peer sends and receives, and can inject a frame of its own into the real broker, as the attacker that "published as
/// trusted" did. (Issue #11's fake answered with a ZMTP 2.0 greeting, which NetMQ's client accepted; Mq's own
/// transport refuses it, see <see cref="LegacyFakeBroker"/>, so a relay has to speak ZMTP 3.)
/// </summary>
public sealed class RelayingFakeBroker : IAsyncDisposable
{
    private static readonly byte[] ReadyAsRouter = [0x04, 28, 0x05, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, 6, .. "ROUTER"u8];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream _recorded = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _sockets = [];
    private readonly int _targetPort;
    private readonly Task _accepting;
    private readonly SemaphoreSlim _writing = new(1, 1); // relayed and injected frames must not interleave
    private NetworkStream? _lastUpstream;

    /// <param name="target">The real broker, <c>tcp://127.0.0.1:port</c>.</param>
    public RelayingFakeBroker(string target)
    {
        _targetPort = int.Parse(target[(target.LastIndexOf(':') + 1)..]);
        _listener.Start();
        Endpoint = $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Endpoint { get; }

    /// <summary>Every byte between the peers and the fake, both ways.</summary>
    public byte[] Recorded
    {
        get
        {
            lock (_recorded)
            {
                return _recorded.ToArray();
            }
        }
    }

    /// <summary>Sends <paramref name="frame"/> (plaintext Mq commands) to the real broker on the latest relayed connection.</summary>
    public async Task InjectAsync(byte[] frame)
    {
        NetworkStream upstream = Volatile.Read(ref _lastUpstream) ?? throw new InvalidOperationException("no peer has connected yet");
        await WriteFrameAsync(upstream, frame, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] pumps;
        lock (_sockets)
        {
            foreach (TcpClient socket in _sockets)
            {
                socket.Dispose();
            }

            pumps = [.. _pumps];
        }

        await Task.WhenAll([_accepting, .. pumps]).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        _writing.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient peer = await _listener.AcceptTcpClientAsync(_stop.Token);
                var broker = new TcpClient();
                await broker.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                lock (_sockets)
                {
                    _sockets.Add(peer);
                    _sockets.Add(broker);
                    _pumps.Add(RelayAsync(peer.GetStream(), broker.GetStream()));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(NetworkStream peer, NetworkStream broker)
    {
        try
        {
            await Zmtp3HandshakeAsync(broker, _stop.Token);
            Volatile.Write(ref _lastUpstream, broker);
            byte[] greeting = Greeting();
            await peer.WriteAsync(greeting, _stop.Token);
            await peer.WriteAsync(ReadyAsRouter, _stop.Token);
            Record([.. greeting, .. ReadyAsRouter]);

            // The peer's greeting; its READY comes as a command frame, which the pump does not relay.
            Record(await ReadExactlyAsync(peer, 64, _stop.Token));
            Task up = PumpUpAsync(peer, broker);
            Task down = PumpDownAsync(broker, peer);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // One side closed, or the fake stopped.
        }
        finally
        {
            peer.Dispose();
            broker.Dispose();
        }
    }

    /// <summary>The peer's message frames go to the broker; its ZMTP commands (READY, PONG) are the relay's business.</summary>
    private async Task PumpUpAsync(NetworkStream peer, NetworkStream broker)
    {
        while (true)
        {
            (byte flags, byte[] body) = await ReadZmtp3FrameAsync(peer, _stop.Token);
            Record([flags, .. body]);
            if ((flags & 0x04) == 0)
            {
                await WriteFrameAsync(broker, body, _stop.Token);
            }
        }
    }

    /// <summary>The broker's message frames go to the peer; its ZMTP commands (heartbeats) are not relayed.</summary>
    private async Task PumpDownAsync(NetworkStream broker, NetworkStream peer)
    {
        while (true)
        {
            (byte flags, byte[] body) = await ReadZmtp3FrameAsync(broker, _stop.Token);
            if ((flags & 0x04) != 0)
            {
                continue;
            }

            byte[] frame = body.Length < 256 ? [0x00, (byte)body.Length, .. body] : [0x02, .. BigEndian(body.Length), .. body];
            Record(frame);
            await peer.WriteAsync(frame, _stop.Token);
        }
    }

    private void Record(byte[] bytes)
    {
        lock (_recorded)
        {
            _recorded.Write(bytes);
        }
    }

    /// <summary>A ZMTP 3.0 greeting with the NULL mechanism.</summary>
    private static byte[] Greeting()
    {
        byte[] greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        "NULL"u8.CopyTo(greeting.AsSpan(12));
        return greeting;
    }

    /// <summary>The client side of ZMTP 3.0 with the NULL mechanism, as a DEALER.</summary>
    private static async Task Zmtp3HandshakeAsync(NetworkStream broker, CancellationToken cancellationToken)
    {
        await broker.WriteAsync(Greeting(), cancellationToken);
        byte[] ready = [0x05, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, 6, .. "DEALER"u8];
        byte[] command = [0x04, (byte)ready.Length, .. ready];
        await broker.WriteAsync(command, cancellationToken);
        await ReadExactlyAsync(broker, 64, cancellationToken);
        await ReadZmtp3FrameAsync(broker, cancellationToken); // its READY
    }

    private static async Task<(byte Flags, byte[] Body)> ReadZmtp3FrameAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        byte flags = (await ReadExactlyAsync(stream, 1, cancellationToken))[0];
        bool isLong = (flags & 0x02) != 0;
        byte[] size = await ReadExactlyAsync(stream, isLong ? 8 : 1, cancellationToken);
        long length = isLong ? BinaryPrimitives.ReadInt64BigEndian(size) : size[0];
        return (flags, await ReadExactlyAsync(stream, (int)length, cancellationToken));
    }

    private async Task WriteFrameAsync(NetworkStream broker, byte[] body, CancellationToken cancellationToken)
    {
        byte[] frame = body.Length < 256 ? [0x00, (byte)body.Length, .. body] : [0x02, .. BigEndian(body.Length), .. body];
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await broker.WriteAsync(frame, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    private static byte[] BigEndian(long value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }
}
