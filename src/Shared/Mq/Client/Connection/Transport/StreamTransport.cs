using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Mq.Protocol;
using NetMQ;

namespace Mq.Client.Connection.Transport;

/// <summary>
/// The unix:// and pipe:// transport (and, behind an internal switch, tcp://): Mq's own ZMTP 3.x DEALER over a
/// plain .NET socket, polled for reading on the connection's own poller thread, so a frame crosses no other thread
/// on its way in or out. The socket is non-blocking and owned by that thread; only the connect runs in the
/// background, and hands its socket over through the poller's work queue. The handshake is the greeting and READY
/// of docs/protocol.md §1.1, checked as the broker checks its peers'; after a loss (or a refused broker) it connects
/// again after <see cref="MqClientOptions.ReconnectInterval"/>, doubling up to <see cref="MqClientOptions.ReconnectIntervalMax"/>.
/// </summary>
internal sealed partial class StreamTransport : IPeerTransport
{
    private static readonly byte[] Greeting = ZmtpWire.Greeting();
    private static readonly byte[] ReadyCommand = ZmtpWire.Ready("DEALER");

    private readonly NetMQPoller _poller;
    private readonly IPeerTransportSink _sink;
    private readonly Action<Action> _post;
    private readonly Lock _socketLock;
    private readonly ILogger _logger;
    private readonly long _maxFrameBytes;
    private readonly TimeSpan _reconnectInterval;
    private readonly TimeSpan _reconnectIntervalMax;
    private readonly NetMQTimer _timer = new(TimeSpan.FromMilliseconds(1));
    private readonly Action<Socket> _onReadable;
    private string _endpoint = "";
    private EndPoint? _target;
    private Socket? _socket;
    private int _attempt; // numbers connect attempts, so a late result of an abandoned one is ignored
    private int _generation; // numbers connections, so a reader stops when what it delivered closed the connection
    private TimeSpan _delay;
    private int _failures;
    private bool _stopped = true; // no connection wanted: before Connect, after Disconnect or Dispose
    private bool _disposed;

    /// <summary>
    /// Adds its timer to <paramref name="poller"/>; <paramref name="post"/> runs an action on the poller thread (its
    /// work queue); <paramref name="socketLock"/> is the connection's, held by its handlers and by inline senders.
    /// </summary>
    public StreamTransport(NetMQPoller poller, IPeerTransportSink sink, Action<Action> post, Lock socketLock, long maxFrameBytes, MqClientOptions options, ILogger logger)
    {
        _poller = poller;
        _sink = sink;
        _post = post;
        _socketLock = socketLock;
        _logger = logger;
        _maxFrameBytes = maxFrameBytes;
        _reconnectInterval = options.ReconnectInterval;
        _reconnectIntervalMax = options.ReconnectIntervalMax;
        _delay = _reconnectInterval;
        _onReadable = OnReadable;
        _in = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        _out = ArrayPool<byte>.Shared.Rent(WriteBufferBytes);
        _timer.Enable = false;
        _timer.Elapsed += OnTimer;
        poller.Add(_timer);
    }

    public bool BuffersSpans => true;

    public string? LastFailure { get; private set; }

    /// <summary>True while the ZMTP handshake is done and Mq frames flow.</summary>
    private bool Open => _phase == Phase.Frames;

    public void Connect(string endpoint)
    {
        if (_endpoint != endpoint || _target is null)
        {
            _endpoint = endpoint;
            _target = Resolve(endpoint);
        }

        _stopped = false;
        if (_socket is null)
        {
            BeginConnect();
        }
    }

    public void Disconnect()
    {
        _stopped = true;
        _attempt++;
        _timer.Enable = false;
        Close();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Disconnect();
        ArrayPool<byte>.Shared.Return(_in);
        ArrayPool<byte>.Shared.Return(_out);
    }

    /// <summary>The socket address of an endpoint: the socket file of unix:// and pipe://, the host and port of tcp://.</summary>
    internal static EndPoint Resolve(string endpoint)
    {
        if (LocalEndpoint.SocketPath(endpoint, out string? problem) is { } path)
        {
            return new UnixDomainSocketEndPoint(path);
        }

        if (problem is null && RefusalProbe.TryParseTcp(endpoint, out string host, out int port))
        {
            return IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        }

        throw new ArgumentException(problem ?? $"endpoint '{endpoint}' is no tcp://, unix:// or pipe:// endpoint", nameof(endpoint));
    }

    private void BeginConnect()
    {
        int attempt = ++_attempt;
        Socket socket = _target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { SendBufferSize = LocalEndpoint.SendBufferBytes }
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _ = ConnectAsync(socket, attempt);
    }

    /// <summary>The one part off the poller thread: the socket is not the transport's until the poller takes it in <see cref="OnConnectDone"/>.</summary>
    private async Task ConnectAsync(Socket socket, int attempt)
    {
        SocketException? error = null;
        try
        {
            await socket.ConnectAsync(_target!).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            error = ex;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            socket.Dispose();
            return;
        }

        try
        {
            _post(() => OnConnectDone(socket, attempt, error));
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed meanwhile.
            socket.Dispose();
        }
    }

    private void OnConnectDone(Socket socket, int attempt, SocketException? error)
    {
        if (attempt != _attempt || _stopped || _disposed)
        {
            socket.Dispose();
            return;
        }

        if (error is not null)
        {
            socket.Dispose();
            _failures++;
            LastFailure = $"{Describe(error)} (tried {_failures} time{(_failures == 1 ? "" : "s")})";
            LogConnectFailed(_endpoint, LastFailure);
            ScheduleReconnect();
            return;
        }

        _socket = socket;
        socket.Blocking = false;
        _generation++;
        _phase = Phase.Greeting;
        AppendRaw(Greeting);
        AppendRaw(ReadyCommand);
        _poller.Add(socket, _onReadable);
        Flush();
    }

    private string Describe(SocketException error)
    {
        if (_target is UnixDomainSocketEndPoint unix)
        {
            string path = unix.ToString();
            if (!Path.Exists(path))
            {
                return $"no socket file at {path} (is the broker started with --endpoint {_endpoint}?)";
            }

            switch (error.SocketErrorCode)
            {
                case SocketError.ConnectionRefused:
                    return $"nothing listens on {path} (a socket file left behind by a broker that stopped?)";
                case SocketError.AccessDenied:
                    return $"permission denied on {path}: the socket file's mode or group keeps this OS user out";
            }
        }

        return error.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused (nothing is listening there)" : error.Message;
    }

    /// <summary>Closes the connection (and connects again after the backoff) for <paramref name="reason"/>.</summary>
    private void Lose(string reason)
    {
        if (_socket is null)
        {
            return;
        }

        bool wasOpen = Open;
        Close();
        LastFailure = reason;
        if (wasOpen)
        {
            // Posted, not called: a loss found while sending must not re-enter the sender.
            _post(() => _sink.OnConnectionLost(reason));
        }
        else
        {
            _failures++;
            LogHandshakeFailed(_endpoint, reason);
        }

        ScheduleReconnect();
    }

    private void Close()
    {
        _timer.Enable = false;
        _generation++;
        _phase = Phase.None;
        ResetBuffers();
        if (_socket is { } socket)
        {
            _socket = null;
            if (!_disposed)
            {
                // After the poller stopped (disposing) it would only queue the removal.
                _poller.Remove(socket);
            }

            socket.Dispose();
        }
    }

    private void ScheduleReconnect()
    {
        if (_stopped)
        {
            return;
        }

        TimeSpan delay = _delay;
        if (_reconnectIntervalMax > _reconnectInterval)
        {
            _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, _reconnectIntervalMax.Ticks));
        }

        // Up to a tenth more, so that peers a broker restart dropped together do not all come back at once.
        int ms = (int)Math.Max(1, delay.TotalMilliseconds * (1 + (Random.Shared.NextDouble() / 10)));
        _timer.Interval = ms;
        _timer.Enable = true;
    }

    /// <summary>The handshake is done: the next loss starts its backoff again from the first interval.</summary>
    private void Opened()
    {
        _phase = Phase.Frames;
        _delay = _reconnectInterval;
        _failures = 0;
        LastFailure = null;
        LogOpened(_endpoint);
    }

    private void OnTimer(object? sender, NetMQTimerEventArgs e)
    {
        lock (_socketLock)
        {
            Retry();
        }
    }

    private void Retry()
    {
        try
        {
            _timer.Enable = false;
            if (_socket is null)
            {
                if (!_stopped)
                {
                    BeginConnect();
                }

                return;
            }

            // A write the kernel refused: try again, and once it drained, let what waited behind it go.
            Flush();
            if (_outEnd == _outStart && _socket is not null)
            {
                _sink.OnReadyToSend();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _sink.OnUnexpected(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not connect to the Mq broker at {Endpoint}: {Reason}")]
    private partial void LogConnectFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ZMTP handshake with the Mq broker at {Endpoint} failed, trying again: {Reason}")]
    private partial void LogHandshakeFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ZMTP handshake done with the Mq broker at {Endpoint}")]
    private partial void LogOpened(string endpoint);
}
