using System.Net.Sockets;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Sessions;
using Mq.Broker.Transport;
using Mq.Protocol;
using NetMQ;

namespace Mq.Broker.Server;

/// <summary>
/// The broker: its own ZMTP listener (<see cref="ZmtpListener"/>) and one thread that owns the routing core. Usable
/// in-process (tests and applications bind port 0 and read <see cref="Endpoint"/>) and hosted by the Mq.Broker executable.
/// </summary>
public sealed partial class BrokerServer : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ILogger<BrokerServer> _logger;
    private readonly BrokerEngine _engine;
    private readonly BrokerLoop _loop;
    /// <summary>One per endpoint, in the order of <see cref="BrokerOptions.Endpoint"/> then <see cref="BrokerOptions.Endpoints"/>.</summary>
    private readonly List<ZmtpListener> _listeners = [];
    private readonly IReadOnlyList<ListenEndpoint> _endpoints;
    private readonly ConnectionLimits _limits;
    private readonly TransportCounters _transportCounters = new();
    private readonly BrokerMetrics _metrics;
    /// <summary>Connections that finished the ZMTP handshake, by key; the broker thread's own.</summary>
    private readonly Dictionary<uint, ZmtpConnection> _connections = [];
    /// <summary>Connections the engine sent to in this pass of the broker thread, to flush at its end.</summary>
    private readonly List<ZmtpConnection> _touched = [];
    private readonly string? _curvePublicKey;
    private int _state; // 0 new, 1 running, 2 stopped
    private bool _streamsOpen;

    public BrokerServer(BrokerOptions options, ILoggerFactory? loggerFactory = null)
    {
        List<string> errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid broker options: " + string.Join("; ", errors), nameof(options));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        _options = options;
        _logger = loggerFactory.CreateLogger<BrokerServer>();
        var bridge = new Bridge(this);
        _metrics = new BrokerMetrics(options.Monitoring?.ServiceLabels ?? false);
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(options.HeartbeatInterval.TotalMilliseconds / 4, 10, 100));
        _loop = new BrokerLoop(tick, OnTick, Flush, LogUnexpected);
        _engine = new BrokerEngine(options, bridge, _logger, Probe, _metrics, _loop.Post, loggerFactory);
        NetMQCertificate? certificate = options.Curve?.LoadCertificate();
        _curvePublicKey = certificate?.PublicKeyZ85;
        var settings = TransportSettings.From(options);
        _limits = new ConnectionLimits(settings);
        ILogger<ZmtpListener> transportLogger = loggerFactory.CreateLogger<ZmtpListener>();
        // Every endpoint admits under the same caps, counters and budgets: a second endpoint buys a peer nothing.
        var services = new ConnectionServices(settings, bridge, _limits, _transportCounters, new TransportLog(transportLogger), _engine.ConnectedFrame, Deliver);
        var keys = new KeyCounter();
        _endpoints = ListenEndpoint.ParseAll([options.Endpoint, .. options.Endpoints ?? []], out _)!;
        foreach (ListenEndpoint _ in _endpoints)
        {
            _listeners.Add(new ZmtpListener(services, keys, transportLogger));
        }

        Endpoint = options.Endpoint;
        Endpoints = [.. _endpoints.Select(e => e.Text)];
    }

    /// <summary>
    /// The first endpoint peers connect to (<see cref="BrokerOptions.Endpoint"/>): after <see cref="Start"/>, with the
    /// real port when port 0 was asked for.
    /// </summary>
    public string Endpoint { get; private set; }

    /// <summary>Every endpoint the broker listens on, <see cref="Endpoint"/> first; after <see cref="Start"/>, with real ports.</summary>
    public IReadOnlyList<string> Endpoints { get; private set; }

    /// <summary>
    /// Opens the store and the streams (reading their files, checking every record), then starts as <see cref="Start"/>.
    /// A broker with streams (<see cref="BrokerOptions.Streams"/>, <see cref="BrokerOptions.StoreDirectory"/>) starts this way.
    /// </summary>
    /// <exception cref="Persistence.StoreException">A stream's files are damaged (the message names the file and what to do).</exception>
    /// <exception cref="IOException">Another process has the store directory open.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new InvalidOperationException("The broker was already started.");
        }

        await _engine.Streams!.OpenAsync(cancellationToken);
        _streamsOpen = true;
        Start();
    }

    /// <summary>Binds the endpoint and starts the broker thread. Throws <see cref="BrokerBindException"/> if the endpoint cannot be bound.</summary>
    public void Start()
    {
        if (!_streamsOpen && (_options.Streams.Count > 0 || !string.IsNullOrWhiteSpace(_options.StoreDirectory)))
        {
            throw new InvalidOperationException("A broker with streams or a store directory starts with StartAsync, which opens the store first.");
        }

        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The broker was already started.");
        }

        Endpoints = BindAll();
        Endpoint = Endpoints[0];
        StartDiscovery();
        _engine.System.Endpoints = Endpoints;
        _engine.System.ReadStats = Snapshot;
        _loop.Start();
        _listeners.ForEach(l => l.Start());
        // Space-separated: each endpoint stays one token for whoever reads the line (tests, scripts).
        LogReady(string.Join(' ', Endpoints));
        if (_curvePublicKey is not null)
        {
            LogCurve(_curvePublicKey);
        }
    }

    /// <summary>Says BYE to every peer, closes every connection once that is sent, then stops the thread.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            await StopDiscoveryAsync();
            await DisposeListenersAsync();
            await _loop.DisposeAsync();
            await _engine.Streams!.DisposeAsync();
            _metrics.Dispose();
            return;
        }

        var goodbyes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(now =>
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

        await StopDiscoveryAsync();
        await DisposeListenersAsync();
        await _loop.DisposeAsync();

        // After the broker thread: nothing hands the store appends any more, and what it accepted is written on close.
        await _engine.Streams!.DisposeAsync();
        _metrics.Dispose();
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
        _loop.Post(_ => result.TrySetResult(Snapshot()));
        return result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The engine's counters and the transport's; broker thread (the transport's are read atomically).</summary>
    private BrokerStats Snapshot() => _engine.GetStats() with
    {
        Connections = _limits.Open,
        PendingHandshakes = _limits.Pending,
        ConnectionsAccepted = Interlocked.Read(ref _transportCounters.ConnectionsAccepted),
        ConnectionsCapped = Interlocked.Read(ref _transportCounters.ConnectionsCapped),
        HandshakesRefused = Interlocked.Read(ref _transportCounters.HandshakesRefused),
        HandshakesTimedOut = _engine.GetStats().HandshakesTimedOut + Interlocked.Read(ref _transportCounters.HandshakesTimedOut),
        FramingErrors = Interlocked.Read(ref _transportCounters.FramingErrors),
    };

    /// <summary>
    /// Returns once the broker is quiet: everything it has received so far is delivered (handed to each peer's
    /// connection, and the peer answered a ZMTP PING sent after it) or dropped and reported, and no request is in
    /// flight. Throws <see cref="TimeoutException"/>, saying what was still busy, if that takes longer than
    /// <paramref name="timeout"/>. docs/protocol.md defines it; peers ask the same through the <c>$SYS.quiet</c> service.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The broker is not running.");
        }

        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(now => _engine.Quiet.Ask(done, now + (long)timeout.TotalMilliseconds, now));
        string? busy = await done.Task.WaitAsync(cancellationToken);
        if (busy is not null)
        {
            throw new TimeoutException($"The broker was not quiet within {timeout.TotalSeconds:0.###} s: {busy}.");
        }
    }

    /// <summary>
    /// Closes the connection of every peer whose HELLO named it <paramref name="peerName"/>, as a network failure would
    /// (no BYE; what it held is forgotten at once); returns how many there were. For tests and operators.
    /// </summary>
    public Task<int> DisconnectPeerAsync(string peerName, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The broker is not running.");
        }

        var result = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(now => result.TrySetResult(_engine.Disconnect(peerName, now)));
        return result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>The engine's quiet probe: a ZMTP PING behind everything queued for the connection (broker thread).</summary>
    private void Probe(uint key, ulong token)
    {
        // A connection already gone owes no PONG: closing its session told the quiet watch so.
        if (_connections.TryGetValue(key, out ZmtpConnection? connection))
        {
            connection.Probe(token);
        }
    }

    /// <summary>Binds every endpoint in order; if one fails, those already bound are let go (their socket files removed).</summary>
    private string[] BindAll()
    {
        var bound = new string[_endpoints.Count];
        for (int i = 0; i < _endpoints.Count; i++)
        {
            try
            {
                bound[i] = _listeners[i].Bind(_endpoints[i]);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException or UnauthorizedAccessException or IOException)
            {
                Interlocked.Exchange(ref _state, 2);
                _listeners.ForEach(l => l.Unbind());
                throw new BrokerBindException(_endpoints[i].Text, ex);
            }
        }

        return bound;
    }

    private async ValueTask DisposeListenersAsync()
    {
        foreach (ZmtpListener listener in _listeners)
        {
            await listener.DisposeAsync();
        }
    }

    /// <summary>The end of a pass of the broker thread: the engine's batches go out, then every connection sends them.</summary>
    private void Flush(long now)
    {
        _engine.Flush(now);
        foreach (ZmtpConnection connection in _touched)
        {
            connection.Touched = false;
            connection.Flush();
        }

        _touched.Clear();
    }

    /// <summary>A batch of frames from one connection, on the broker thread.</summary>
    private void Deliver(InboundBatch batch, long now)
    {
        uint key = batch.Connection.Key;
        try
        {
            for (int i = 0; i < batch.Count; i++)
            {
                (int offset, int length) = batch[i];
                if (length == InboundBatch.Multipart)
                {
                    _engine.OnMultipart(key, now);
                }
                else
                {
                    _engine.OnFrame(key, batch.Buffer.AsMemory(offset, length), now);
                }
            }
        }
        finally
        {
            batch.Connection.Release(batch);
        }
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

    /// <summary>
    /// Between the transport and the engine: connection events become work on the broker thread, and the engine's
    /// frames and closes go to the connection of each session.
    /// </summary>
    private sealed class Bridge(BrokerServer server) : IFrameSink, IConnectionHandler
    {
        public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame)
        {
            if (!server._connections.TryGetValue(session.Key, out ZmtpConnection? connection))
            {
                return SendOutcome.PeerGone;
            }

            if (!connection.Touched)
            {
                connection.Touched = true;
                server._touched.Add(connection);
            }

            return connection.Send(frame);
        }

        public void Established(PeerSession session)
        {
            if (server._connections.TryGetValue(session.Key, out ZmtpConnection? connection))
            {
                server._limits.Established(connection.Admission);
            }
        }

        public long Queued(PeerSession session) =>
            server._connections.TryGetValue(session.Key, out ZmtpConnection? connection) ? connection.QueuedBytes : 0;

        public void Close(PeerSession session)
        {
            if (server._connections.TryGetValue(session.Key, out ZmtpConnection? connection))
            {
                connection.Close();
            }
        }

        public void OnConnected(ZmtpConnection connection) => server._loop.Post(now =>
        {
            server._connections[connection.Key] = connection;
            server._engine.OnConnected(connection.Key, connection.Address, connection.AcceptedAt, now, connection.IsLocal, connection.Local);
        });

        public void OnFrames(InboundBatch batch) => server._loop.PostAndRun(batch);

        public void OnPong(ZmtpConnection connection, ulong token) => server._loop.Post(now => server._engine.Quiet.OnPong(connection.Key, token, now));

        public void OnDisconnected(ZmtpConnection connection) => server._loop.Post(now =>
        {
            server._engine.OnDisconnected(connection.Key, now);
            server._connections.Remove(connection.Key);
        });
    }
}
