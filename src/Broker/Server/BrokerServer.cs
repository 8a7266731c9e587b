using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Sessions;
using Mq.Protocol;
using NetMQ;
using NetMQ.Sockets;
using ErrorCode = Mq.Protocol.ErrorCode;

namespace Mq.Broker.Server;

/// <summary>
/// The broker: one ROUTER socket and one thread that owns it and the routing core. Usable in-process
/// (tests and applications bind port 0 and read <see cref="Endpoint"/>) and hosted by the Mq.Broker executable.
/// </summary>
public sealed partial class BrokerServer : IAsyncDisposable
{
    /// <summary>The frame NetMQ delivers for a connection that closed (0xC1 is never a valid MessagePack start byte).</summary>
    private static readonly byte[] DisconnectMarker = [0xC1];
    private const int MaxMessagesPerWakeup = 4096;

    private readonly BrokerOptions _options;
    private readonly ILogger<BrokerServer> _logger;
    private readonly RouterSocket _socket;
    private readonly NetMQQueue<Action<long>> _work = new();
    private readonly NetMQTimer _timer;
    private readonly NetMQPoller _poller;
    private readonly BrokerEngine _engine;
    private readonly string? _curvePublicKey;
    private Msg _identity;
    private Msg _frame;
    private int _state; // 0 new, 1 running, 2 stopped

    public BrokerServer(BrokerOptions options, ILoggerFactory? loggerFactory = null)
    {
        List<string> errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid broker options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BrokerServer>();
        _engine = new BrokerEngine(options, new SocketSink(this), _logger);
        _curvePublicKey = options.Curve?.LoadCertificate()?.PublicKeyZ85;
        _socket = CreateSocket(options, _engine.ConnectedFrame, encrypted: _curvePublicKey is not null);
        _timer = new NetMQTimer(TimeSpan.FromMilliseconds(Math.Clamp(options.HeartbeatInterval.TotalMilliseconds / 4, 10, 100)));
        _poller = [_socket, _work, _timer];
        _socket.ReceiveReady += OnReceiveReady;
        _work.ReceiveReady += OnWork;
        _timer.Elapsed += OnTimer;
        _identity.InitEmpty();
        _frame.InitEmpty();
        Endpoint = options.Endpoint;
    }

    /// <summary>The endpoint peers connect to: after <see cref="Start"/>, with the real port when port 0 was asked for.</summary>
    public string Endpoint { get; private set; }

    /// <summary>Binds the endpoint and starts the broker thread. Throws <see cref="BrokerBindException"/> if the endpoint cannot be bound.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The broker was already started.");
        }

        Endpoint = Bind(_options.Endpoint);
        _poller.RunAsync("mq-broker", isBackgroundThread: true);
        LogReady(Endpoint);
        if (_curvePublicKey is not null)
        {
            LogCurve(_curvePublicKey);
        }
    }

    /// <summary>Says BYE to every peer, then stops the thread and closes the socket.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            DisposeSockets();
            return;
        }

        var goodbyes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Enqueue(now =>
        {
            _engine.Shutdown("broker shutting down", now);
            goodbyes.TrySetResult();
        });
        try
        {
            await goodbyes.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (TimeoutException)
        {
            LogShutdownSlow();
        }

        _poller.Stop();
        DisposeSockets();
        LogStopped();
    }

    /// <summary>A snapshot of the counters, taken on the broker thread.</summary>
    public Task<BrokerStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The broker is not running.");
        }

        var result = new TaskCompletionSource<BrokerStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Enqueue(_ => result.TrySetResult(_engine.GetStats()));
        return result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static RouterSocket CreateSocket(BrokerOptions options, byte[] connectedFrame, bool encrypted)
    {
        // ZMTP's NULL mechanism only: confidentiality is the engine's secure channel, not NetMQ's CURVE (docs/security.md).
        var socket = new RouterSocket();
        socket.Options.RouterMandatory = true;
        socket.Options.MaxMsgSize = ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes) + (encrypted ? ProtocolLimits.ChannelOverhead : 0);
        socket.Options.SendHighWatermark = options.SendHighWatermark;
        socket.Options.ReceiveHighWatermark = options.ReceiveHighWatermark;
        socket.Options.Linger = TimeSpan.FromMilliseconds(500);
        socket.Options.HeartbeatInterval = options.HeartbeatInterval;
        socket.Options.HeartbeatTimeout = options.PeerTimeout;
        socket.Options.HelloMessage = connectedFrame;
        socket.Options.DisconnectMessage = DisconnectMarker;
        return socket;
    }

    private string Bind(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        string address = endpoint[..colon];
        string port = endpoint[(colon + 1)..];
        try
        {
            if (port is "0" or "*")
            {
                int bound = _socket.BindRandomPort(address);
                return $"{address}:{bound}";
            }

            _socket.Bind(endpoint);
            return endpoint;
        }
        catch (Exception ex) when (ex is NetMQException or System.Net.Sockets.SocketException or ArgumentException)
        {
            Interlocked.Exchange(ref _state, 2);
            DisposeSockets();
            throw new BrokerBindException(endpoint, ex);
        }
    }

    private void OnReceiveReady(object? sender, NetMQSocketEventArgs e)
    {
        long now = Environment.TickCount64;
        try
        {
            for (int i = 0; i < MaxMessagesPerWakeup && _socket.TryReceive(ref _identity, TimeSpan.Zero); i++)
            {
                ReceiveOne(now);
            }

            _engine.Flush(now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An exception escaping a poller handler would end the process; one bad message must not.
            LogUnexpected(ex);
        }
    }

    private void ReceiveOne(long now)
    {
        // A ROUTER always delivers the routing id first, and the rest of the message atomically after it.
        if (!_identity.HasMore || !_socket.TryReceive(ref _frame, TimeSpan.Zero))
        {
            return;
        }

        ReadOnlySpan<byte> id = _identity.Slice();
        bool generated = id.Length == 5 && id[0] == 0;
        uint key = generated ? BitConverter.ToUInt32(id[1..]) : 0;
        if (_frame.HasMore)
        {
            DrainMessage();
            if (generated)
            {
                _engine.OnMultipart(key, id, now);
            }

            return;
        }

        if (!generated)
        {
            // The broker, not the peer, names connections: a peer that set its own routing id is refused.
            RefuseChosenIdentity(id.ToArray(), now);
        }
        else if (_frame.Size == 1 && _frame.Slice()[0] == DisconnectMarker[0])
        {
            _engine.OnDisconnected(key, now);
        }
        else
        {
            _engine.OnFrame(key, id, _frame.SliceAsMemory(), now);
        }
    }

    private void DrainMessage()
    {
        while (_frame.HasMore && _socket.TryReceive(ref _frame, TimeSpan.Zero))
        {
        }
    }

    private void RefuseChosenIdentity(byte[] routingId, long now)
    {
        _engine.CountRefusedConnection("it set its own routing identity", now);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(buffer);
        CommandWriter.WriteError(ref w, 0, ErrorCode.Malformed, "peers must not set their own ZeroMQ routing identity; the broker assigns it", 0);
        w.Flush();
        SendFrame(routingId, buffer.WrittenSpan);
    }

    private void OnWork(object? sender, NetMQQueueEventArgs<Action<long>> e)
    {
        long now = Environment.TickCount64;
        while (_work.TryDequeue(out Action<long>? action, TimeSpan.Zero))
        {
            try
            {
                action(now);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogUnexpected(ex);
            }
        }

        _engine.Flush(now);
    }

    private void OnTimer(object? sender, NetMQTimerEventArgs e)
    {
        long now = Environment.TickCount64;
        try
        {
            _engine.OnTick(now);
            _engine.Flush(now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private SendOutcome SendFrame(byte[] routingId, ReadOnlySpan<byte> frame)
    {
        var id = new Msg();
        id.InitGC(routingId, routingId.Length);
        try
        {
            if (!_socket.TrySend(ref id, TimeSpan.Zero, more: true))
            {
                return SendOutcome.QueueFull;
            }
        }
        catch (HostUnreachableException)
        {
            return SendOutcome.PeerGone;
        }

        // NetMQ keeps the array until the frame is written, so each frame gets its own.
        byte[] copy = frame.ToArray();
        var data = new Msg();
        data.InitGC(copy, copy.Length);
        _socket.TrySend(ref data, TimeSpan.Zero, more: false);
        return SendOutcome.Sent;
    }

    private void DisposeSockets()
    {
        _poller.Dispose();
        _work.Dispose();
        _socket.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mq broker ready on {Endpoint}")]
    private partial void LogReady(string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Secure channel on (every connection encrypted to the broker key); peers pin the broker public key {PublicKey}")]
    private partial void LogCurve(string publicKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mq broker stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker thread did not send its goodbyes within 5 s; stopping anyway")]
    private partial void LogShutdownSlow();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on the broker thread; the broker goes on")]
    private partial void LogUnexpected(Exception exception);

    private sealed class SocketSink(BrokerServer server) : IFrameSink
    {
        public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame) => server.SendFrame(session.RoutingId, frame);
    }
}
