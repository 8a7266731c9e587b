using Mq.Broker.Sessions;

namespace Mq.Broker.Routing;

/// <summary>One SUB of one peer. <see cref="Sequence"/> numbers its deliveries so the peer can detect gaps.</summary>
internal sealed class BrokerSubscription(PeerSession session, ulong sid, string pattern, string? group, SubscriptionFlow? flow = null, long cost = 0)
{
    /// <summary>What it was charged against its peer's, identity's and the broker's budgets, returned on removal.</summary>
    public long Cost { get; } = cost;

    public PeerSession Session { get; } = session;

    public ulong Sid { get; } = sid;

    public string Pattern { get; } = pattern;

    public string? Group { get; } = group;

    public ulong Sequence { get; set; }

    /// <summary>Set once it left the index: a route set built before (being fanned out now) must skip it.</summary>
    public bool Removed { get; set; }

    /// <summary>What it lost, once it has lost something: created at its first drop.</summary>
    public Events.SubscriptionDrops? Drops { get; set; }

    /// <summary>Set when the subscriber asked for flow control: its deliveries wait instead of being dropped.</summary>
    public SubscriptionFlow? Flow { get; } = flow;

    /// <summary>Set for a stream consumer (CONSUME): it reads its stream instead of being in the subscription index.</summary>
    public Streams.StreamCursor? Cursor { get; init; }
}
