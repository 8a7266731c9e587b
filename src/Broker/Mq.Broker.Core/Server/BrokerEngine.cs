using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Events;
using Mq.Broker.Routing;
using Mq.Broker.Security;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Security;

namespace Mq.Broker.Server;

/// <summary>
/// The broker's routing core, free of sockets: frames in (per connection key), frames out through an
/// <see cref="IFrameSink"/>. Handles the handshake, liveness and the dispatch of commands to the routers.
/// Every method runs on the one broker thread; time is passed in as milliseconds of a monotonic clock.
/// </summary>
internal sealed partial class BrokerEngine
{
    private readonly BrokerOptions _options;
    private readonly IFrameSink _sink;
    private readonly ILogger _logger;
    private readonly BrokerCounters _counters = new();
    private readonly Dictionary<uint, PeerSession> _sessions = [];
    private readonly List<PeerSession> _expired = [];
    private readonly PeerWriter _writer;
    private readonly PubSubRouter _pubSub;
    private readonly RequestRouter _requests;
    private readonly PublisherCredit _credit;
    private readonly Budgets _budgets;
    private readonly BrokerEvents _events;
    private readonly Authenticator? _auth;
    private readonly PolicyWatcher? _policyWatcher;
    private readonly Dictionary<string, object?> _welcomeSettings;
    private readonly NSec.Cryptography.Key? _channelKey;
    private long _lastPeerNumber;

    // probe sends a ZMTP PING carrying a token to a connection (see QuietWatch); without it, quiet needs no PONGs.
    // metrics, when given, records each request's duration as it ends.
    // post, when given, hands work back to the broker thread: without it the engine has no streams (unit tests).
    public BrokerEngine(BrokerOptions options, IFrameSink sink, ILogger logger, Action<uint, ulong>? probe = null, BrokerMetrics? metrics = null,
        Action<IBrokerWork>? post = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options;
        _sink = sink;
        _logger = logger;
        ConnectedFrame = BuildConnectedFrame(options.Name);
        if (options.Curve?.LoadCertificate() is { } certificate)
        {
            _channelKey = NoiseHandshake.ImportSecretKey(certificate.SecretKey);
            sink = new SealingSink(sink);
        }

        _writer = new PeerWriter(sink, _counters, options.MaxBacklogBytes, ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes), logger);
        _credit = new PublisherCredit(options, _writer, _counters);
        _budgets = new Budgets(options);
        _events = new BrokerEvents(options, _counters, _writer, logger, () => _pubSub!);
        _pubSub = new PubSubRouter(options, _writer, _counters, _credit, _budgets, _events);
        Quiet = new QuietWatch(_writer, Busy, () => _counters.MessagesPublished + _counters.RequestsRouted + _counters.RepliesRouted, () => _sessions.Keys, probe);
        System = new SystemServices(options, _writer, GetStats, () => _sessions.Values, Queued, () => _requests!.Describe());
        _requests = new RequestRouter(options, _writer, _counters, Quiet, () => System, _events, metrics);
        Streams = post is null ? null : CreateStreams(post, loggerFactory);

        _welcomeSettings = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["broker"] = options.Name,
            ["heartbeat_ms"] = (long)options.HeartbeatInterval.TotalMilliseconds,
            ["timeout_ms"] = (long)options.PeerTimeout.TotalMilliseconds,
            ["max_payload"] = (long)options.MaxPayloadBytes,
            ["credit"] = (long)options.PublisherCreditBytes,
        };
        if (options.PolicyFile is not null)
        {
            _auth = new Authenticator(SecurityPolicy.Load(options.PolicyFile), options.MaxAuthFailuresPerSecond);
            _policyWatcher = new PolicyWatcher(options.PolicyFile);
        }
    }

    public int PeerCount => _sessions.Count;

    /// <summary>What the broker holds for all peers (<see cref="Queued"/>); walks every session.</summary>
    public long QueuedBytes => _sessions.Values.Sum(Queued);

    /// <summary>What the broker holds for one peer: its connection's unsent bytes, and the engine's own for it.</summary>
    public long Queued(PeerSession session) => session.QueuedBytes + _sink.Queued(session);

    public QuietWatch Quiet { get; }

    public SystemServices System { get; }

    /// <summary>
    /// A connection finished its ZMTP handshake (CONNECTED is on its way): its session starts, and must be Ready
    /// within <see cref="BrokerOptions.HandshakeTimeout"/> of <paramref name="acceptedAt"/>.
    /// </summary>
    /// A connection of a Unix socket endpoint is <paramref name="isLocal"/>: no secure channel, and under a policy its
    /// identity comes from the kernel's credentials (<paramref name="local"/>) instead of an AUTH.
    public void OnConnected(uint key, string source, long acceptedAt, long now, bool isLocal = false, Transport.LocalPeer? local = null)
    {
        var session = new PeerSession(key, now)
        {
            Source = source,
            HandshakeDeadline = acceptedAt + (long)_options.HandshakeTimeout.TotalMilliseconds,
            IsLocal = isLocal,
            Local = local,
        };
        _sessions[key] = session;
    }

    /// <summary>One frame from the connection <paramref name="key"/>; every command in it is processed in order.</summary>
    public void OnFrame(uint key, ReadOnlyMemory<byte> frame, long now)
    {
        if (!_sessions.TryGetValue(key, out PeerSession? session))
        {
            // The engine closed this connection; what it sent before the close took effect is not read.
            return;
        }

        session.LastReceived = now;
        _counters.FramesReceived++;
        if (frame.IsEmpty)
        {
            _writer.Refuse(session, 0, ErrorCode.Malformed, "empty frame", now);
            return;
        }

        // Unix socket connections have no channel: the kernel vouches for the peer and nobody else can read the socket.
        if (_channelKey is not null && !session.IsLocal && !Unseal(session, ref frame, now))
        {
            return;
        }

        var reader = new CommandReader(frame);
        try
        {
            while (!reader.End)
            {
                if (!Dispatch(session, ref reader, now))
                {
                    return;
                }
            }

            _credit.Replenish(session, now);
        }
        catch (ProtocolException ex)
        {
            // The reader cannot resynchronise inside a broken command, so the rest of the frame goes too.
            _writer.Refuse(session, 0, ex.Code, ex.Message, now);
        }
    }

    /// <summary>A ZeroMQ message of more than one frame (after the routing id): not part of the protocol.</summary>
    public void OnMultipart(uint key, long now)
    {
        if (_sessions.TryGetValue(key, out PeerSession? session))
        {
            session.LastReceived = now;
            _writer.Command = 0;
            _writer.Refuse(session, 0, ErrorCode.Malformed, "a message must have exactly one frame", now);
        }
    }

    /// <summary>The transport reported the connection closed.</summary>
    public void OnDisconnected(uint key, long now)
    {
        if (_sessions.TryGetValue(key, out PeerSession? session))
        {
            Close(session, "disconnected", now);
        }
    }

    /// <summary>Periodic work: heartbeats, forgetting silent peers and unfinished handshakes, expiring request deadlines.</summary>
    public void OnTick(long now)
    {
        long interval = (long)_options.HeartbeatInterval.TotalMilliseconds;
        long timeout = (long)_options.PeerTimeout.TotalMilliseconds;
        foreach (PeerSession session in _sessions.Values)
        {
            if (now - session.LastReceived > timeout || (now > session.HandshakeDeadline && session.State != PeerState.Ready))
            {
                _expired.Add(session);
            }
            else if (session.Backlog.WrittenCount > 0 || session.DroppedBySid.Count > 0)
            {
                // A full queue may have drained since: retry what must not be lost, and tell about drops.
                _writer.MarkDirty(session);
            }
            else if (session.State == PeerState.Ready && now - session.LastSent >= interval && !session.Dirty)
            {
                MessagePackWriter w = _writer.Begin(session);
                CommandWriter.WriteHeartbeat(ref w);
                _writer.End(session, ref w, now);
            }
        }

        foreach (PeerSession session in _expired)
        {
            if (session.State != PeerState.Ready && now > session.HandshakeDeadline)
            {
                _counters.HandshakesTimedOut++;
                _writer.CountRefusal(session, ErrorCode.HandshakeRequired, $"no session within {_options.HandshakeTimeout.TotalSeconds:0.###} s of connecting", now);
                Close(session, "its handshake took too long", now);
                continue;
            }

            _counters.PeersTimedOut++;
            Close(session, $"silent for more than {timeout} ms", now);
        }

        _expired.Clear();
        _requests.ExpireDeadlines(now);
        _pubSub.CutOffStalled(now);
        _events.Report(now);
        Streams?.Tick(now);
        if (_policyWatcher?.Changed(now) == true)
        {
            ReloadPolicy(now);
        }
    }

    /// <summary>
    /// Sends everything written since the last flush, one frame per peer (or more for large batches), then
    /// disconnects peers whose backlog overflowed.
    /// </summary>
    public void Flush(long now)
    {
        _writer.FlushAll(now);
        if (_writer.Drained.Count > 0)
        {
            // Copied first: the flush below may back a peer up again and add to the list.
            PeerSession[] drained = [.. _writer.Drained];
            _writer.Drained.Clear();
            foreach (PeerSession session in drained)
            {
                if (!session.IsClosed)
                {
                    _pubSub.Resume(session, now);
                }
            }

            _writer.FlushAll(now);
        }

        // By index: closing one tells others (replies, events), and a write that flushes may add to the list.
        for (int i = 0; i < _writer.Overflowed.Count; i++)
        {
            Close(_writer.Overflowed[i], $"its queue stayed full: more than {_options.MaxBacklogBytes} bytes of replies and requests could not be delivered", now);
        }

        _writer.Overflowed.Clear();
        Quiet.Check(now);
        _writer.FlushAll(now);
    }

    /// <summary>Tells every peer the broker is stopping on purpose, so they reconnect without waiting for a timeout.</summary>
    public void Shutdown(string reason, long now)
    {
        foreach (PeerSession session in _sessions.Values)
        {
            if (session.State == PeerState.Ready)
            {
                MessagePackWriter w = _writer.Begin(session);
                CommandWriter.WriteBye(ref w, reason);
                _writer.End(session, ref w, now);
            }
        }

        _writer.FlushAll(now);
    }

    /// <summary>Closes every Ready session named <paramref name="name"/>; returns how many.</summary>
    public int Disconnect(string name, long now)
    {
        PeerSession[] named = [.. _sessions.Values.Where(s => s.State == PeerState.Ready && s.Name == name)];
        foreach (PeerSession session in named)
        {
            Close(session, "disconnected by the broker's host", now);
        }

        return named.Length;
    }

    public BrokerStats GetStats() => new()
    {
        Peers = _sessions.Count,
        Subscriptions = _pubSub.Count,
        SubscriptionBytes = _budgets.SubscriptionBytes,
        Services = _requests.ServiceCount,
        PendingRequests = _requests.PendingCount,
        FramesReceived = _counters.FramesReceived,
        MessagesPublished = _counters.MessagesPublished,
        MessagesDelivered = _counters.MessagesDelivered,
        RequestsRouted = _counters.RequestsRouted,
        RepliesRouted = _counters.RepliesRouted,
        Refused = _counters.Refused,
        DroppedFrames = _counters.DroppedFrames,
        DroppedMessages = _counters.DroppedMessages,
        PeersOverflowed = _counters.PeersOverflowed,
        PeersTimedOut = _counters.PeersTimedOut,
        HandshakesTimedOut = _counters.HandshakesTimedOut,
        FlowWaits = _counters.FlowWaits,
        PublisherStalls = _counters.PublisherStalls,
        SlowConsumers = _counters.SlowConsumers,
        ChannelFailures = _counters.ChannelFailures,
        EventsPublished = _counters.EventsPublished,
        EventsSuppressed = _counters.EventsSuppressed,
        Streams = Streams?.Figures() ?? [],
    };

    /// <summary>Processes one command; false when the rest of the frame must be discarded.</summary>
    private bool Dispatch(PeerSession session, ref CommandReader reader, long now)
    {
        int start = reader.Position;
        _writer.Command = 0;
        CommandCode code = reader.ReadCommand();
        _writer.Command = code;
        if (code == CommandCode.Secure)
        {
            return SecureAgain(session, ref reader, now);
        }

        if (session.State != PeerState.Ready && code != CommandCode.Hello && !(code == CommandCode.Auth && session.State == PeerState.Authenticating))
        {
            _writer.Refuse(session, 0, ErrorCode.HandshakeRequired, $"send HELLO before {code}; this connection has no session", now);
            return false;
        }

        switch (code)
        {
            case CommandCode.Pub: _pubSub.Publish(session, ref reader, start, now); break;
            case CommandCode.DurablePub: _pubSub.Publish(session, ref reader, start, now, durable: true); break;
            case CommandCode.Consume: Consume(session, ref reader, now); break;
            case CommandCode.StreamAck: StreamAck(session, ref reader, now); break;
            case CommandCode.Ack: _pubSub.Ack(session, ref reader, now); break;
            case CommandCode.Sub: _pubSub.Subscribe(session, ref reader, now); break;
            case CommandCode.Unsub: _pubSub.Unsubscribe(session, ref reader, now); break;
            case CommandCode.Req: _requests.Request(session, ref reader, now); break;
            case CommandCode.Rep: _requests.Reply(session, ref reader, now); break;
            case CommandCode.Cancel: _requests.Cancel(session, ref reader, now); break;
            case CommandCode.RepPart: _requests.Part(session, ref reader, now); break;
            case CommandCode.Grant: _requests.Grant(session, ref reader, now); break;
            case CommandCode.ReqAll: _requests.RequestAll(session, ref reader, now); break;
            case CommandCode.Serve: _requests.Serve(session, ref reader, now); break;
            case CommandCode.Unserve: _requests.Unserve(session, ref reader, now); break;
            case CommandCode.Heartbeat: reader.EndCommand(); break;
            case CommandCode.Ping: Ping(session, ref reader, now); break;
            case CommandCode.Hello: Hello(session, ref reader, now); break;
            case CommandCode.Auth: Auth(session, ref reader, now); break;
            case CommandCode.Bye:
                reader.SkipCommand();
                Restart(session, now);
                return false;
            default:
                reader.SkipCommand();
                _writer.Refuse(session, 0, ErrorCode.UnknownCommand, $"unknown or broker-to-peer command {(int)code}", now);
                break;
        }

        return true;
    }

    private void Ping(PeerSession session, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        reader.EndCommand();
        _writer.Ok(session, reference, now);
    }
}
