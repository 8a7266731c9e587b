using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using MessagePack;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// The broker-answered <c>$SYS.info</c>, <c>$SYS.stats</c>, <c>$SYS.peers</c>, <c>$SYS.subs</c> and
/// <c>$SYS.services</c> (docs/protocol.md §8.2): each reply is one MessagePack map with string keys, so any
/// language (and the CLI's JSON printing) reads it. Lists are capped at <see cref="MaxEntries"/> entries and a byte
/// budget under the payload limit; the reply says how many were left out. Broker thread only.
/// </summary>
internal sealed class SystemServices(
    BrokerOptions options,
    PeerWriter writer,
    Func<BrokerStats> engineStats,
    Func<IEnumerable<PeerSession>> sessions,
    Func<PeerSession, long> queued,
    Func<IEnumerable<(string Name, int Servers, int InFlight, ServiceStats Stats)>> services)
{
    public const string Info = "$SYS.info";
    public const string Stats = "$SYS.stats";
    public const string Peers = "$SYS.peers";
    public const string Subs = "$SYS.subs";
    public const string Services = "$SYS.services";

    /// <summary>The most entries one list reply carries.</summary>
    public const int MaxEntries = 1000;

    /// <summary>The names these services answer, for the error naming an unknown one.</summary>
    public static readonly string Names = string.Join(", ", QuietWatch.ServiceName, Info, Stats, Peers, Subs, Services);

    private static readonly string Version = typeof(SystemServices).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    /// <summary>Where peers connect; the server sets them once bound (the real port when port 0 was asked for).</summary>
    public IReadOnlyList<string> Endpoints { get; set; } = [options.Endpoint, .. options.Endpoints ?? []];

    /// <summary>The counters to report; the server adds its transport's to the engine's.</summary>
    public Func<BrokerStats> ReadStats { get; set; } = engineStats;

    /// <summary>Answers <paramref name="name"/> if it is one of these services; false for any other name.</summary>
    public bool TryAnswer(PeerSession requester, ulong rid, ReadOnlySpan<char> name, long now)
    {
        byte[]? payload = Answer(name, now);
        if (payload is null)
        {
            return false;
        }

        MessagePackWriter w = writer.Begin(requester);
        CommandWriter.WriteReply(ref w, rid, ErrorCode.None, default, default, payload);
        writer.End(requester, ref w, now);
        return true;
    }

    /// <summary>The reply payload of <paramref name="name"/>, or null for any other name; the HTTP endpoint serves the same.</summary>
    public byte[]? Answer(ReadOnlySpan<char> name, long now) => name switch
    {
        Info => Serialize(InfoMap()),
        Stats => Serialize(StatsMap(ReadStats())),
        Peers => List("peers", sessions().Where(s => s.State == PeerState.Ready), s => PeerMap(s, now)),
        Subs => List("subs", sessions().SelectMany(s => s.Subscriptions.Values), s => SubMap(s, now)),
        Services => List("services", services(), s => ServiceMap(s.Name, s.Servers, s.InFlight, s.Stats)),
        _ => null,
    };

    private Dictionary<string, object?> InfoMap() => new(StringComparer.Ordinal)
    {
        ["name"] = options.Name,
        ["version"] = Version,
        ["protocol"] = ProtocolVersion.Current,
        ["started_at"] = _startedAt.ToString("O"),
        ["uptime_ms"] = (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds,
        ["endpoints"] = Endpoints.ToArray(),
        // A policy needs the secure channel when a TCP endpoint is open (BrokerOptions.Validate); Unix-only brokers need none.
        ["security"] = (options.PolicyFile is not null, options.Curve?.Enabled == true) switch
        {
            (true, true) => "secure channel and policy",
            (true, false) => "policy",
            (false, true) => "secure channel",
            _ => "plaintext",
        },
        ["max_payload"] = options.MaxPayloadBytes,
        ["max_connections"] = options.MaxConnections,
        ["max_subscriptions_per_peer"] = options.MaxSubscriptionsPerPeer,
        ["max_services_per_peer"] = options.MaxServicesPerPeer,
        ["max_open_requests_per_peer"] = options.MaxOpenRequestsPerPeer,
        ["max_backlog_bytes"] = options.MaxBacklogBytes,
        ["publisher_credit"] = options.PublisherCreditBytes,
        ["heartbeat_ms"] = (long)options.HeartbeatInterval.TotalMilliseconds,
        ["peer_timeout_ms"] = (long)options.PeerTimeout.TotalMilliseconds,
        ["max_request_timeout_ms"] = (long)options.MaxRequestTimeout.TotalMilliseconds,
    };

    private static Dictionary<string, object?> StatsMap(BrokerStats s) => new(StringComparer.Ordinal)
    {
        ["peers"] = s.Peers,
        ["subscriptions"] = s.Subscriptions,
        ["subscription_bytes"] = s.SubscriptionBytes,
        ["services"] = s.Services,
        ["pending_requests"] = s.PendingRequests,
        ["frames_received"] = s.FramesReceived,
        ["messages_published"] = s.MessagesPublished,
        ["messages_delivered"] = s.MessagesDelivered,
        ["requests_routed"] = s.RequestsRouted,
        ["replies_routed"] = s.RepliesRouted,
        ["refused"] = s.Refused,
        ["dropped_frames"] = s.DroppedFrames,
        ["dropped_messages"] = s.DroppedMessages,
        ["peers_overflowed"] = s.PeersOverflowed,
        ["peers_timed_out"] = s.PeersTimedOut,
        ["handshakes_timed_out"] = s.HandshakesTimedOut,
        ["flow_waits"] = s.FlowWaits,
        ["publisher_stalls"] = s.PublisherStalls,
        ["slow_consumers"] = s.SlowConsumers,
        ["channel_failures"] = s.ChannelFailures,
        ["events_published"] = s.EventsPublished,
        ["events_suppressed"] = s.EventsSuppressed,
        ["connections"] = s.Connections,
        ["pending_handshakes"] = s.PendingHandshakes,
        ["connections_accepted"] = s.ConnectionsAccepted,
        ["connections_capped"] = s.ConnectionsCapped,
        ["handshakes_refused"] = s.HandshakesRefused,
        ["framing_errors"] = s.FramingErrors,
        ["streams"] = s.Streams.Select(StreamMap).ToArray(),
    };

    /// <summary>A stream as <c>$SYS.stats</c> lists it: the keys of <c>$SYS.stream.info</c> for the same figures.</summary>
    private static Dictionary<string, object?> StreamMap(StreamStats s) => new(StringComparer.Ordinal)
    {
        ["name"] = s.Name,
        ["messages"] = s.Messages,
        ["bytes"] = s.Bytes,
        ["first_seq"] = s.FirstSequence,
        ["last_seq"] = s.LastSequence,
        ["consumers"] = s.Consumers,
        ["stored"] = s.Stored,
        ["refused"] = s.Refused,
        ["dead_lettered"] = s.DeadLettered,
        ["durable_consumers"] = s.DurableConsumers.Select(d => new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = d.Name,
            ["ack_floor"] = d.AckFloor,
            ["pending"] = d.Pending,
            ["unacknowledged"] = d.Unacknowledged,
            ["members"] = d.Members,
        }).ToArray(),
    };

    private Dictionary<string, object?> PeerMap(PeerSession s, long now) => new(StringComparer.Ordinal)
    {
        ["name"] = s.Name,
        ["peer_id"] = s.PeerId,
        ["identity"] = s.Identity?.Name,
        ["address"] = s.Source,
        ["connected_ms"] = now - s.ConnectedAt,
        ["subscriptions"] = s.Subscriptions.Count,
        ["services"] = s.Services.Count,
        ["queued_bytes"] = queued(s),
        ["queued_messages"] = s.Subscriptions.Values.Sum(sub => sub.Flow?.Queued ?? 0),
        ["dropped_frames"] = s.DroppedFrames,
        ["dropped_messages"] = s.DroppedMessages,
        ["slow_consumer"] = Events.BrokerEvents.IsSlow(s.LastDropAt, now),
    };

    private static Dictionary<string, object?> SubMap(BrokerSubscription s, long now) => new(StringComparer.Ordinal)
    {
        ["pattern"] = s.Pattern,
        ["queue_group"] = s.Group,
        ["peer"] = s.Session.Name,
        ["peer_id"] = s.Session.PeerId,
        ["flow_controlled"] = s.Flow is not null,
        ["waiting"] = s.Flow?.Waiting.Count ?? 0,
        ["unacked"] = s.Flow?.Unacknowledged ?? 0,
        ["delivered"] = s.Sequence,
        ["dropped"] = s.Drops?.Total ?? 0,
        ["slow_consumer"] = Events.BrokerEvents.IsSlow(s.Drops?.LastAt, now),
    };

    private static Dictionary<string, object?> ServiceMap(string name, int servers, int inFlight, ServiceStats stats) => new(StringComparer.Ordinal)
    {
        ["name"] = name,
        ["servers"] = servers,
        ["in_flight"] = inFlight,
        ["requests"] = stats.Requests,
        ["replies"] = stats.Replies,
        ["errors"] = stats.Errors,
        ["timeouts"] = stats.Timeouts,
        ["lost"] = stats.Lost,
        ["cancelled"] = stats.Cancelled,
        ["latency_avg_us"] = stats.AverageUs,
        ["latency_p50_us"] = stats.QuantileUs(0.5),
        ["latency_p99_us"] = stats.QuantileUs(0.99),
    };

    /// <summary>{ total, omitted, key: [entries] }, with as many entries as fit in <see cref="MaxEntries"/> and the byte budget.</summary>
    private byte[] List<T>(string key, IEnumerable<T> items, Func<T, Dictionary<string, object?>> describe)
    {
        // Room is left under the payload limit for the map's own keys and the REPLY envelope.
        int budget = Math.Min(options.MaxPayloadBytes, 1024 * 1024) - 256;
        var entries = new ArrayBufferWriter<byte>(4096);
        int total = 0;
        int listed = 0;
        bool full = false;
        foreach (T item in items)
        {
            total++;
            if (full)
            {
                continue;
            }

            byte[] entry = Serialize(describe(item));
            full = entries.WrittenCount + entry.Length > budget;
            if (!full)
            {
                entries.Write(entry);
                full = ++listed == MaxEntries;
            }
        }

        var output = new ArrayBufferWriter<byte>(entries.WrittenCount + 64);
        var w = new MessagePackWriter(output);
        w.WriteMapHeader(3);
        w.Write("total");
        w.Write(total);
        w.Write("omitted");
        w.Write(total - listed);
        w.Write(key);
        w.WriteArrayHeader(listed);
        w.WriteRaw(entries.WrittenSpan);
        w.Flush();
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Serialize(Dictionary<string, object?> map) => MessagePackSerializer.Serialize(map);
}
