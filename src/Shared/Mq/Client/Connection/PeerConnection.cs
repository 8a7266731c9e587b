using System.Diagnostics;
using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Client.Connection.Transport;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;
using NetMQ;

namespace Mq.Client.Connection;

/// <summary>
/// The one thread that owns the peer's connection (its <see cref="IPeerTransport"/>: a NetMQ DEALER, or Mq's own
/// ZMTP stream over a Unix socket). Other threads write commands into the <see cref="Outbox"/> and wake it; it sends
/// them as batch frames, reads the broker's frames, runs the handshake on every (re)connection the broker announces
/// with CONNECTED, and keeps the heartbeat.
/// </summary>
internal sealed partial class PeerConnection : IDisposable, IPeerTransportSink
{
    /// <summary>Wake-ups closer together than this find the connection busy (see OnWork).</summary>
    private static readonly TimeSpan BusyWithin = TimeSpan.FromMicroseconds(200);

    private readonly MqClientOptions _options;
    private readonly ClientTables _tables;
    private readonly Outbox _outbox;
    private readonly ILogger _logger;
    private readonly InboundDispatcher _inbound;
    private readonly Action<ConnectionState, string> _stateChanged;
    private readonly Action<MqException> _asyncError;
    private readonly IPeerTransport _transport;
    private readonly NetMQQueue<Action?> _work = new();

    // Held by the poller thread in each of its handlers, and by a writer that sends its own command (Wake): the sender
    // and the stream transport are used by one thread at a time, and a command can leave without a thread hop.
    private readonly Lock _socketLock = new();
    private readonly NetMQTimer _timer = new(TimeSpan.FromMilliseconds(50));
    private readonly NetMQPoller _poller;
    private readonly FrameSender _sender;
    private readonly TaskCompletionSource<SessionInfo> _firstSession = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)ConnectionState.Connecting;
    private long _lastWakeSend; // Stopwatch timestamp of OnWork's last send
    private long _lastReceived = Environment.TickCount64;
    private SessionInfo? _session;
    private bool _hadSession;
    private readonly System.Security.Cryptography.ECDsa? _identityKey;
    private readonly PeerChannel? _channel;
    private long _reconnectAt = -1; // Environment.TickCount64 when a refused connection is tried again, -1 if none
    private bool _channelErrorRaised;

    public PeerConnection(MqClientOptions options, SerializerRegistry serializers, ClientTables tables, Outbox outbox, Outbox publishes, ILogger logger, Action<ConnectionState, string> stateChanged, Action<MqException> asyncError)
    {
        _options = options;
        Endpoint = options.Endpoint;
        _tables = tables;
        _outbox = outbox;
        _logger = logger;
        _stateChanged = stateChanged;
        _asyncError = asyncError;
        _identityKey = options.LoadIdentityKey();
        var ledger = new PublishLedger(options.OutboxCapacityBytes);
        _inbound = new InboundDispatcher(tables, outbox, ledger, serializers, logger, asyncError);
        byte[]? brokerKey = options.BrokerKey();
        _channel = brokerKey is null ? null : new PeerChannel(brokerKey, options.ReconnectInterval, options.ReconnectIntervalMax);
        _work.ReceiveReady += OnWork;
        _timer.Elapsed += OnTimer;
        _poller = [_work, _timer];
        _transport = CreateTransport(ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes) + (brokerKey is null ? 0 : ProtocolLimits.ChannelOverhead));
        _sender = new FrameSender(_transport, outbox, publishes, ledger, _channel);
    }

    /// <summary>What the socket connects to: the options' endpoint, or for <c>auto</c> the one discovery found (set before <see cref="Start"/>).</summary>
    public string Endpoint { get; set; }

    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    /// <summary>The current session, or the last one.</summary>
    public SessionInfo? Session => Volatile.Read(ref _session);

    /// <summary>Why the last connection was refused before its secure channel was up, or failed to open at all, or null.</summary>
    public string? ConnectFailure => _channel?.LastFailure ?? _transport.LastFailure;

    /// <summary>Completes with the first WELCOME, or fails if the broker speaks no version this client does.</summary>
    public Task<SessionInfo> FirstSession => _firstSession.Task;

    public void Start()
    {
        _transport.Connect(Endpoint);
        _poller.RunAsync("mq-peer", isBackgroundThread: true);
    }

    /// <summary>Called by writers when an outbox went from empty to not empty: the socket thread sends it on its next pass.</summary>
    public void Wake() => _work.Enqueue(null);

    /// <summary>
    /// As <see cref="Wake"/>, for the command outbox. On a quiet connection (no other request in flight or being
    /// served, the socket thread idle) the writer sends the outbox itself: a lone request or reply leaves without
    /// the socket thread's wake-up (a signal through a socket pair, a poll and a context switch, a third of a
    /// round trip's latency here). With more in flight, its pass batches what piles up into one frame instead.
    /// </summary>
    public void SendOrWake()
    {
        if (_transport.SendsInline && _tables.Pending.RequestCount + _tables.Serving.Count <= 1
            && !_socketLock.IsHeldByCurrentThread && _socketLock.TryEnter())
        {
            bool sent;
            try
            {
                sent = State == ConnectionState.Connected && _sender.TrySendInline();
            }
            finally
            {
                _socketLock.Exit();
            }

            if (sent)
            {
                return;
            }
        }

        Wake();
    }

    /// <summary>Runs <paramref name="action"/> on the socket thread.</summary>
    public void Post(Action action) => _work.Enqueue(action);

    /// <summary>Says BYE (if the session is live) and stops the thread. Draining is the caller's job: see MqClient.FlushAsync.</summary>
    public async Task CloseAsync()
    {
        var said = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            SendPending();
            if (State == ConnectionState.Connected)
            {
                _sender.SendDirect(static (ref MessagePackWriter w, in string reason) => CommandWriter.WriteBye(ref w, reason), "peer closing");
                _sender.Flush();
            }

            said.TrySetResult();
        });
        try
        {
            await said.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogCloseTimedOut();
        }

        SetState(ConnectionState.Closed, "disposed");
        _poller.Stop();
    }

    public void Dispose()
    {
        _identityKey?.Dispose();
        _poller.Dispose();
        lock (_socketLock)
        {
            // Not under a writer's inline send: the transport's buffers go back to the pool.
            _channel?.Dispose();
            _transport.Dispose();
        }

        _work.Dispose();
    }

    private void OnWork(object? sender, NetMQQueueEventArgs<Action?> e)
    {
        lock (_socketLock)
        {
            RunWork();
        }
    }

    private void RunWork()
    {
        try
        {
            while (_work.TryDequeue(out Action? action, TimeSpan.Zero))
            {
                action?.Invoke();
            }

            // Woken again soon after the last wake-up's send: the connection is busy, and the threads that woke it
            // (request continuations, service handlers) may still be writing on this core. Letting them run first
            // puts their commands in this frame instead of a frame and a wake-up each; an idle peer sends at once.
            if (Stopwatch.GetElapsedTime(_lastWakeSend) < BusyWithin)
            {
                Thread.Yield();
            }

            SendPending();
            _lastWakeSend = Stopwatch.GetTimestamp();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private void OnTimer(object? sender, NetMQTimerEventArgs e)
    {
        lock (_socketLock)
        {
            Tick();
        }
    }

    private void Tick()
    {
        long now = Environment.TickCount64;
        try
        {
            if (_reconnectAt >= 0 && now >= _reconnectAt)
            {
                _reconnectAt = -1;
                _transport.Connect(Endpoint);
            }

            SessionInfo? session = _session;
            if (State == ConnectionState.Connected && session is not null)
            {
                if (now - _lastReceived > session.TimeoutMs)
                {
                    LoseSession($"the broker was silent for more than {session.TimeoutMs} ms");

                    // A stalled broker may have forgotten us while the TCP connection lived on, and it greets only new
                    // connections: waiting on this one could last forever.
                    DropConnection(_options.ReconnectInterval);
                }
                else if (now - _sender.LastSent >= session.HeartbeatMs)
                {
                    _sender.SendDirect(static (ref MessagePackWriter w, in int _) => CommandWriter.WriteHeartbeat(ref w), 0);
                }
            }

            _tables.Pending.ExpireRequests(now);
            SendPending();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private void Process(ReadOnlyMemory<byte> frame)
    {
        var reader = new CommandReader(frame);
        try
        {
            while (!reader.End)
            {
                CommandCode code = reader.ReadCommand();
                switch (code)
                {
                    case CommandCode.Msg: _inbound.Msg(ref reader); break;
                    case CommandCode.Dropped: _inbound.Dropped(ref reader); break;
                    case CommandCode.Credit:
                        _sender.Grant(reader.ReadUInt());
                        reader.EndCommand();
                        break;
                    case CommandCode.Reply: _inbound.Reply(ref reader); break;
                    case CommandCode.Request: _inbound.Request(ref reader); break;
                    case CommandCode.ReplyPart: _inbound.ReplyPart(ref reader); break;
                    case CommandCode.Gathered: _inbound.Gathered(ref reader); break;
                    case CommandCode.Abort: _inbound.Abort(ref reader); break;
                    case CommandCode.Granted: _inbound.Granted(ref reader); break;
                    case CommandCode.Ok: _inbound.Ok(ref reader); break;
                    case CommandCode.Stored: _inbound.Stored(ref reader); break;
                    case CommandCode.Heartbeat: reader.EndCommand(); break;
                    case CommandCode.Error: OnError(ref reader); break;
                    case CommandCode.Connected: OnConnected(ref reader, frame); break;
                    case CommandCode.Welcome: OnWelcome(ref reader); break;
                    case CommandCode.Challenge: OnChallenge(ref reader); break;
                    case CommandCode.Revoked: _inbound.Revoked(ref reader); break;
                    case CommandCode.Bye:
                        string reason = reader.ReadString(ProtocolLimits.MaxHeaderBytes);
                        reader.EndCommand();
                        LoseSession($"the broker said goodbye: {reason}");
                        break;
                    default:
                        reader.SkipCommand();
                        break;
                }
            }
        }
        catch (ProtocolException ex)
        {
            LogBrokerProtocolError(ex.Message);
        }
    }

    private void LoseSession(string reason)
    {
        _sender.SessionLost();

        // Publishes stay (they are replayed on the next session); every other command belonged to this one.
        _outbox.Clear();
        if (State == ConnectionState.Connected)
        {
            SetState(ConnectionState.Disconnected, reason);
        }

        _tables.Pending.FailAll(message => new NotConnectedException($"{message} ({reason})"));

        // The broker answered what this peer was serving with ResponderLost: those handlers may stop now.
        foreach (ulong brokerId in _tables.Serving.Keys)
        {
            _inbound.AbortServing(brokerId);
        }
    }

    private void SetState(ConnectionState state, string reason)
    {
        if (Interlocked.Exchange(ref _state, (int)state) != (int)state)
        {
            LogState(state, reason);
            _stateChanged(state, reason);
        }
    }

    private void SendPending() => _sender.SendPending(State == ConnectionState.Connected);

    private static long Setting(Dictionary<string, object?> settings, string key, long fallback) =>
        settings.GetValueOrDefault(key) is long value && value > 0 ? value : fallback;

    [LoggerMessage(Level = LogLevel.Information, Message = "Mq connection {State}: {Reason}")]
    private partial void LogState(ConnectionState state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker sent something this client cannot read: {Reason}")]
    private partial void LogBrokerProtocolError(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The socket thread did not answer the close within 5 s")]
    private partial void LogCloseTimedOut();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on the Mq socket thread; the connection goes on")]
    private partial void LogUnexpected(Exception exception);
}
