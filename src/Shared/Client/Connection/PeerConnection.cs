using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Errors;
using Mq.Protocol;
using NetMQ;
using NetMQ.Sockets;
using ErrorCode = Mq.Protocol.ErrorCode;

namespace Mq.Client.Connection;

/// <summary>
/// The one thread that owns the peer's DEALER socket. Other threads write commands into the
/// <see cref="Outbox"/> and wake it; it sends them as batch frames, reads the broker's frames, runs the
/// handshake on every (re)connection the broker announces with CONNECTED, and keeps the heartbeat.
/// </summary>
internal sealed partial class PeerConnection : IDisposable
{
    private const int MaxFramesPerWakeup = 1024;

    private readonly MqClientOptions _options;
    private readonly ClientTables _tables;
    private readonly Outbox _outbox;
    private readonly ILogger _logger;
    private readonly InboundDispatcher _inbound;
    private readonly Action<ConnectionState, string> _stateChanged;
    private readonly Action<MqException> _asyncError;
    private readonly DealerSocket _socket;
    private readonly NetMQQueue<Action?> _work = new();
    private readonly NetMQTimer _timer = new(TimeSpan.FromMilliseconds(50));
    private readonly NetMQPoller _poller;
    private readonly FrameSender _sender;
    private readonly TaskCompletionSource<SessionInfo> _firstSession = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)ConnectionState.Connecting;
    private long _lastReceived = Environment.TickCount64;
    private SessionInfo? _session;
    private bool _hadSession;
    private readonly System.Security.Cryptography.ECDsa? _identityKey;

    public PeerConnection(MqClientOptions options, ClientTables tables, Outbox outbox, Outbox publishes, ILogger logger, Action<ConnectionState, string> stateChanged, Action<MqException> asyncError)
    {
        _options = options;
        _tables = tables;
        _outbox = outbox;
        _logger = logger;
        _stateChanged = stateChanged;
        _asyncError = asyncError;
        _identityKey = options.LoadIdentityKey();
        var ledger = new PublishLedger(options.OutboxCapacityBytes);
        _inbound = new InboundDispatcher(tables, outbox, ledger, options.SerializerOptions, logger, asyncError);
        _socket = new DealerSocket();
        _socket.Options.MaxMsgSize = ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes);
        _socket.Options.ReconnectInterval = options.ReconnectInterval;
        _socket.Options.ReconnectIntervalMax = options.ReconnectIntervalMax;
        _socket.Options.HeartbeatInterval = TimeSpan.FromSeconds(1);
        _socket.Options.HeartbeatTimeout = TimeSpan.FromSeconds(3);
        _socket.Options.Linger = TimeSpan.FromMilliseconds(500);
        if (options.CurveCertificate() is var (brokerKey, own))
        {
            _socket.Options.CurveServerKey = brokerKey;
            _socket.Options.CurveCertificate = own;
        }

        _socket.ReceiveReady += OnReceiveReady;
        _work.ReceiveReady += OnWork;
        _timer.Elapsed += OnTimer;
        _poller = [_socket, _work, _timer];
        _sender = new FrameSender(_socket, outbox, publishes, ledger);
    }

    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    /// <summary>The current session, or the last one.</summary>
    public SessionInfo? Session => Volatile.Read(ref _session);

    /// <summary>Completes with the first WELCOME, or fails if the broker speaks no version this client does.</summary>
    public Task<SessionInfo> FirstSession => _firstSession.Task;

    public void Start()
    {
        _socket.Connect(_options.Endpoint);
        _poller.RunAsync("mq-peer", isBackgroundThread: true);
    }

    /// <summary>Called by writers when the outbox went from empty to not empty.</summary>
    public void Wake() => _work.Enqueue(null);

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
        _work.Dispose();
        _socket.Dispose();
    }

    private void OnWork(object? sender, NetMQQueueEventArgs<Action?> e)
    {
        try
        {
            while (_work.TryDequeue(out Action? action, TimeSpan.Zero))
            {
                action?.Invoke();
            }

            SendPending();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private void OnTimer(object? sender, NetMQTimerEventArgs e)
    {
        long now = Environment.TickCount64;
        try
        {
            SessionInfo? session = _session;
            if (State == ConnectionState.Connected && session is not null)
            {
                if (now - _lastReceived > session.TimeoutMs)
                {
                    LoseSession($"the broker was silent for more than {session.TimeoutMs} ms");
                }
                else if (now - _sender.LastSent >= session.HeartbeatMs)
                {
                    _sender.SendDirect(static (ref MessagePackWriter w, in int _) => CommandWriter.WriteHeartbeat(ref w), 0);
                }
            }

            SendPending();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private void OnReceiveReady(object? sender, NetMQSocketEventArgs e)
    {
        try
        {
            for (int i = 0; i < MaxFramesPerWakeup && _socket.TryReceiveFrameBytes(TimeSpan.Zero, out byte[]? frame, out bool more); i++)
            {
                _lastReceived = Environment.TickCount64;
                if (more)
                {
                    _socket.SkipMultipartMessage();
                    LogBrokerProtocolError("a message with more than one frame");
                    continue;
                }

                Process(frame);
            }

            SendPending();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnexpected(ex);
        }
    }

    private void Process(byte[] frame)
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
                    case CommandCode.Ok: _inbound.Ok(ref reader); break;
                    case CommandCode.Heartbeat: reader.EndCommand(); break;
                    case CommandCode.Error: OnError(ref reader); break;
                    case CommandCode.Connected: OnConnected(ref reader); break;
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

    private void OnConnected(ref CommandReader reader)
    {
        List<int> versions = reader.ReadIntArray(64);
        reader.ReadString(ProtocolLimits.MaxNameBytes);
        reader.EndCommand();

        // A new connection: whatever session the broker had for us is gone.
        LoseSession("the broker connection was (re)established");
        int version = versions.Where(ProtocolVersion.Supported.Contains).DefaultIfEmpty(0).Max();
        if (version == 0)
        {
            var error = new MqException(ErrorCode.UnsupportedVersion,
                $"the broker speaks protocol versions {string.Join(", ", versions)}; this client speaks {string.Join(", ", ProtocolVersion.Supported)}");
            _firstSession.TrySetException(error);
            _asyncError(error);
            return;
        }

        SetState(ConnectionState.Connecting, "handshaking");
        _sender.SendDirect(
            static (ref MessagePackWriter w, in (int Version, string Name) s) => CommandWriter.WriteHello(ref w, s.Version, s.Name, null),
            (version, _options.Name));
    }

    private void OnWelcome(ref CommandReader reader)
    {
        int version = (int)reader.ReadUInt();
        string peerId = reader.ReadString(ProtocolLimits.MaxNameBytes);
        Dictionary<string, object?> settings = reader.ReadSettings();
        reader.EndCommand();

        var session = new SessionInfo(
            version,
            peerId,
            settings.GetValueOrDefault("broker") as string ?? "?",
            Setting(settings, "heartbeat_ms", 1000),
            Setting(settings, "timeout_ms", 3000),
            (int)Math.Min(Setting(settings, "max_payload", ProtocolLimits.DefaultMaxPayloadBytes), _options.MaxPayloadBytes));
        Volatile.Write(ref _session, session);

        // A broker that announces no credit does not do publisher flow control.
        _sender.StartSession(Setting(settings, "credit", long.MaxValue));
        if (_hadSession)
        {
            Restore();
            int replayed = _sender.Replay();
            if (replayed > 0)
            {
                LogReplayed(replayed);
            }
        }

        _hadSession = true;
        SetState(ConnectionState.Connected, $"session {peerId} with broker {session.Broker}");
        _firstSession.TrySetResult(session);
    }

    /// <summary>The broker has a security policy: prove the configured identity by signing its one-time nonce.</summary>
    private void OnChallenge(ref CommandReader reader)
    {
        byte[] nonce = reader.ReadBinary().ToArray();
        reader.EndCommand();
        if (_identityKey is null)
        {
            var error = new UnauthenticatedException("the broker requires an authenticated identity: set Identity and IdentityKeyFile (or IdentityKey) in the client options");
            _firstSession.TrySetException(error);
            _asyncError(error);
            return;
        }

        byte[] signature = Security.IdentityProof.Sign(_identityKey, nonce, _options.Identity!);
        _sender.SendDirect(
            static (ref MessagePackWriter w, in (string Identity, byte[] Signature) s) => CommandWriter.WriteAuth(ref w, s.Identity, s.Signature),
            (_options.Identity!, signature));
    }

    private void OnError(ref CommandReader reader)
    {
        ulong reference = reader.ReadUInt();
        var code = (ErrorCode)reader.ReadUInt();
        string message = reader.ReadString(ProtocolLimits.MaxHeaderBytes);
        reader.EndCommand();

        if (code == ErrorCode.HandshakeRequired && State == ConnectionState.Connected)
        {
            // The broker no longer knows this connection (it restarted, or forgot us): start over.
            LoseSession(message);
            SetState(ConnectionState.Connecting, "handshaking after the broker forgot this session");
            _sender.SendDirect(
                static (ref MessagePackWriter w, in (int Version, string Name) s) => CommandWriter.WriteHello(ref w, s.Version, s.Name, null),
                (_session?.Version ?? ProtocolVersion.Current, _options.Name));
            return;
        }

        if (code == ErrorCode.HandshakeRequired)
        {
            // Commands that reached a new broker ahead of our HELLO: the publishes among them are replayed
            // once the session is up, and the rest failed their callers when the old session was lost.
            return;
        }

        if (code is ErrorCode.UnsupportedVersion or ErrorCode.Unauthenticated && State != ConnectionState.Connected)
        {
            MqException error = MqException.FromCode(code, message);
            _firstSession.TrySetException(error);
            if (_hadSession)
            {
                // Reconnected but no longer admitted (credentials revoked): nobody awaits a first session now.
                _asyncError(error);
            }
        }

        _inbound.Error(reference, code, message);
    }

    /// <summary>
    /// Re-subscribes and re-serves, on a new session, everything the broker had confirmed, before any queued
    /// command goes out. Unconfirmed ones were failed when the session was lost, or are still queued.
    /// </summary>
    private void Restore()
    {
        foreach (MqSubscription subscription in _tables.Subscriptions.Values.Where(s => s.Confirmed))
        {
            subscription.NewSession();
            _inbound.Forget(subscription.Sid);
            _sender.SendDirect(
                static (ref MessagePackWriter w, in MqSubscription s) => CommandWriter.WriteSub(ref w, 0, s.Sid, s.Pattern, s.QueueGroup, s.Window),
                subscription);
        }

        foreach (MqService service in _tables.Services.Values.Where(s => s.Confirmed))
        {
            _sender.SendDirect(static (ref MessagePackWriter w, in string s) => CommandWriter.WriteServe(ref w, 0, s), service.Name);
        }

        LogRestored(_tables.Subscriptions.Count, _tables.Services.Count);
    }

    private void LoseSession(string reason)
    {
        _sender.SessionLost();
        if (State == ConnectionState.Connected)
        {
            SetState(ConnectionState.Disconnected, reason);
        }

        _tables.Pending.FailAll(message => new NotConnectedException($"{message} ({reason})"));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Subscriptions} subscriptions and {Services} services on the new session")]
    private partial void LogRestored(int subscriptions, int services);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-sent {Bytes} bytes of publishes the lost session had not confirmed")]
    private partial void LogReplayed(int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker sent something this client cannot read: {Reason}")]
    private partial void LogBrokerProtocolError(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The socket thread did not answer the close within 5 s")]
    private partial void LogCloseTimedOut();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on the Mq socket thread; the connection goes on")]
    private partial void LogUnexpected(Exception exception);
}
