namespace Mq.Broker.Server;

/// <summary>A snapshot of the broker's counters. Counters only grow; gauges (peers, subscriptions...) are current values.</summary>
public sealed record BrokerStats
{
    public int Peers { get; init; }

    public int Subscriptions { get; init; }

    /// <summary>What all subscriptions cost, as the subscription budgets count it (bounded by <c>MaxSubscriptionBytesTotal</c>).</summary>
    public long SubscriptionBytes { get; init; }

    public int Services { get; init; }

    public int PendingRequests { get; init; }

    public long FramesReceived { get; init; }

    public long MessagesPublished { get; init; }

    public long MessagesDelivered { get; init; }

    public long RequestsRouted { get; init; }

    public long RepliesRouted { get; init; }

    /// <summary>Commands refused for breaking the protocol or a limit (each answered with ERROR where possible).</summary>
    public long Refused { get; init; }

    /// <summary>Frames not sent because a peer's outbound queue was full.</summary>
    public long DroppedFrames { get; init; }

    public long PeersTimedOut { get; init; }

    /// <summary>Deliveries (MSG) dropped because a subscriber's queue was full; each subscriber is told with DROPPED.</summary>
    public long DroppedMessages { get; init; }

    /// <summary>Peers disconnected because even the commands that cannot be dropped no longer fit in their backlog.</summary>
    public long PeersOverflowed { get; init; }

    /// <summary>Deliveries to flow-controlled subscriptions that waited in the broker for the subscriber's ACK.</summary>
    public long FlowWaits { get; init; }

    /// <summary>Times a publisher was held back (credit withheld) by a flow-controlled subscriber that had fallen behind.</summary>
    public long PublisherStalls { get; init; }

    /// <summary>
    /// Flow-controlled subscriptions cut off as slow consumers: they held publishers back longer than
    /// <c>MaxFlowStall</c>, or what waited for them passed a byte budget. Each lost what waited (DROPPED) and was revoked.
    /// </summary>
    public long SlowConsumers { get; init; }

    /// <summary>Secure-channel handshakes that failed and encrypted frames that did not decrypt (each of the latter ended its session).</summary>
    public long ChannelFailures { get; init; }

    /// <summary>Events the broker published under <c>$SYS.event.</c> (each to every subscription that wanted it).</summary>
    public long EventsPublished { get; init; }

    /// <summary>permission_denied and auth_failed events not published because of their rate limit; the next one counts them.</summary>
    public long EventsSuppressed { get; init; }

    /// <summary>Open TCP connections, in their handshake or not.</summary>
    public int Connections { get; init; }

    /// <summary>Connections accepted and not yet Ready (no WELCOME sent).</summary>
    public int PendingHandshakes { get; init; }

    public long ConnectionsAccepted { get; init; }

    /// <summary>Connections closed at accept because a cap (pending handshakes, per source) was reached.</summary>
    public long ConnectionsCapped { get; init; }

    /// <summary>
    /// Connections closed in the ZMTP handshake: not ZMTP 3 (legacy or foreign greetings), another mechanism, a
    /// socket type that cannot talk to a ROUTER, or a peer-chosen routing identity.
    /// </summary>
    public long HandshakesRefused { get; init; }

    /// <summary>Connections closed because their session was not Ready within HandshakeTimeout of accept.</summary>
    public long HandshakesTimedOut { get; init; }

    /// <summary>Connections closed for a frame the transport cannot take: over the size limit, bad flags, unknown ZMTP command.</summary>
    public long FramingErrors { get; init; }

    /// <summary>The broker's streams, by name: their messages, sequences and consumers.</summary>
    public IReadOnlyList<StreamStats> Streams { get; init; } = [];
}
