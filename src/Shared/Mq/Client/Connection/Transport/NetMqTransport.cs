using NetMQ;
using NetMQ.Sockets;

namespace Mq.Client.Connection.Transport;

/// <summary>
/// The tcp:// transport: a NetMQ DEALER on the connection's poller. NetMQ frames, reconnects (with backoff) and
/// answers ZMTP heartbeats on its own I/O thread; it never says that a connection ended, so
/// <see cref="IPeerTransportSink.OnConnectionLost"/> is never raised and a new connection shows as the broker's
/// CONNECTED.
/// </summary>
internal sealed class NetMqTransport : IPeerTransport
{
    private const int MaxFramesPerWakeup = 1024;

    private readonly DealerSocket _socket = new();
    private readonly IPeerTransportSink _sink;
    private string? _endpoint;

    public NetMqTransport(NetMQPoller poller, IPeerTransportSink sink, long maxFrameBytes, MqClientOptions options)
    {
        _sink = sink;
        _socket.Options.MaxMsgSize = maxFrameBytes;
        _socket.Options.ReconnectInterval = options.ReconnectInterval;
        _socket.Options.ReconnectIntervalMax = options.ReconnectIntervalMax;
        _socket.Options.HeartbeatInterval = TimeSpan.FromSeconds(1);
        _socket.Options.HeartbeatTimeout = TimeSpan.FromSeconds(3);
        _socket.Options.Linger = TimeSpan.FromMilliseconds(500);
        _socket.ReceiveReady += OnReceiveReady;
        poller.Add(_socket);
    }

    public bool BuffersSpans => false;

    public string? LastFailure => null;

    public void Connect(string endpoint)
    {
        _endpoint = endpoint;
        _socket.Connect(endpoint);
    }

    public void Disconnect()
    {
        try
        {
            _socket.Disconnect(_endpoint!);
        }
        catch (EndpointNotFoundException)
        {
            // Already disconnected.
        }
    }

    public bool TrySend(byte[] frame)
    {
        var msg = new Msg();
        msg.InitGC(frame, frame.Length);
        return _socket.TrySend(ref msg, TimeSpan.Zero, more: false);
    }

    public bool TrySend(ReadOnlySpan<byte> frame) => TrySend(frame.ToArray());

    public void Flush()
    {
        // NetMQ's I/O thread writes as soon as a frame is queued.
    }

    public bool SendsInline => false;

    public bool TryFlush() => throw new InvalidOperationException("a NetMQ socket is used by its poller thread only");

    public void Dispose() => _socket.Dispose();

    private void OnReceiveReady(object? sender, NetMQSocketEventArgs e)
    {
        try
        {
            for (int i = 0; i < MaxFramesPerWakeup && _socket.TryReceiveFrameBytes(TimeSpan.Zero, out byte[]? frame, out bool more); i++)
            {
                if (more)
                {
                    _socket.SkipMultipartMessage();
                    _sink.OnProtocolError("a message with more than one frame");
                    continue;
                }

                _sink.OnFrame(frame);
            }

            _sink.OnReadyToSend();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _sink.OnUnexpected(ex);
        }
    }
}
