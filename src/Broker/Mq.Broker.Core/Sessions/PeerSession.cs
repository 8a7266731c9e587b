using System.Buffers;
using Mq.Broker.Routing;

namespace Mq.Broker.Sessions;

/// <summary>
/// One connection of one peer, keyed by the number the broker's transport gave the connection. Holds what the
/// peer subscribed to and serves, the requests it is serving, and the commands waiting to be flushed to it.
/// Owned by the broker thread.
/// </summary>
internal sealed class PeerSession(uint key, long now)
{
    public uint Key { get; } = key;

    /// <summary>The remote address of the connection (e.g. "127.0.0.1"), set by the transport when it creates the session.</summary>
    public string Source { get; set; } = "unknown";

    /// <summary>The connection came through a Unix socket endpoint: plaintext, authenticated by <see cref="Local"/>.</summary>
    public bool IsLocal { get; init; }

    /// <summary>The kernel's credentials of a Unix socket peer (null on TCP, or where the kernel gave none).</summary>
    public Transport.LocalPeer? Local { get; init; }

    /// <summary>When the connection is closed unless the session is Ready by then; no deadline after the first WELCOME.</summary>
    public long HandshakeDeadline { get; set; } = long.MaxValue;

    public PeerState State { get; set; } = PeerState.Handshaking;

    public bool IsClosed => State == PeerState.Closed;

    /// <summary>The name the peer gave itself: for logs and errors, never for routing.</summary>
    public string Name { get; set; } = "?";

    /// <summary>The identity the broker assigned in WELCOME.</summary>
    public string PeerId { get; set; } = "";

    /// <summary>The protocol version agreed in HELLO.</summary>
    public int Version { get; set; }

    /// <summary>The secure channel of this connection once its handshake is done (broker with a key); until then only SECURE is read.</summary>
    public Mq.Security.SecureChannel? Channel { get; set; }

    /// <summary>The nonce of the CHALLENGE this connection must answer (security on).</summary>
    public byte[]? Nonce { get; set; }

    /// <summary>AUTHs of this connection that failed or were refused unverified; it belongs to the connection, not the session.</summary>
    public int AuthFailures { get; set; }

    /// <summary>The identity the peer proved (security on), or null.</summary>
    public Security.PolicyIdentity? Identity { get; set; }

    /// <summary>What the peer may do; null when security is off (everything is allowed).</summary>
    public Security.Permissions? Permissions => Identity?.Permissions;

    /// <summary>When the session started (its connection, or the connection's BYE that restarted it).</summary>
    public long ConnectedAt { get; } = now;

    public long LastReceived { get; set; } = now;

    public long LastSent { get; set; } = now;

    public Dictionary<ulong, BrokerSubscription> Subscriptions { get; } = [];

    public HashSet<string> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Broker ids of the requests this peer holds as a server.</summary>
    public HashSet<ulong> HeldRequests { get; } = [];

    /// <summary>Requests this peer made that are not answered yet, by broker id.</summary>
    public Dictionary<ulong, PendingRequest> MadeRequests { get; } = [];

    /// <summary>
    /// The same requests by the peer's own rid, for CANCEL and GRANT. The broker does not check that rids are
    /// unique, so a reused rid names the newest request made with it.
    /// </summary>
    public Dictionary<ulong, PendingRequest> RequestsByRid { get; } = [];

    /// <summary>This peer's open scatter-gather requests, by its rid.</summary>
    public Dictionary<ulong, ScatterGather> GathersByRid { get; } = [];

    /// <summary>Requests this peer holds as a server: the load balancer's measure.</summary>
    public int Outstanding => HeldRequests.Count;

    /// <summary>Commands written but not yet sent: flushed as one frame.</summary>
    public ArrayBufferWriter<byte> Output { get; } = new(1024);

    public bool Dirty { get; set; }

    /// <summary>
    /// Commands other than MSG from frames the peer's queue refused: they must not be lost, so they go out
    /// first once the queue has room. Bounded by <c>MaxBacklogBytes</c>; past that the peer is disconnected.
    /// </summary>
    public ArrayBufferWriter<byte> Backlog { get; } = new(256);

    /// <summary>Deliveries dropped per subscription since the peer was last told, and the last sequence dropped.</summary>
    public Dictionary<ulong, (ulong Count, ulong LastSequence)> DroppedBySid { get; } = [];

    /// <summary>Set when the backlog overflowed: the engine disconnects the peer after the flush.</summary>
    public bool Overflowed { get; set; }

    public int ProtocolErrors { get; set; }

    /// <summary>Bytes of PUB commands received in this session: what its credit is measured against.</summary>
    public long PublishedBytes { get; set; }

    /// <summary>Bytes of PUB commands the broker has allowed in this session (WELCOME, then CREDIT).</summary>
    public long CreditGranted { get; set; }

    /// <summary>Flow-controlled subscriptions that hold this publisher back; credit is withheld while there are any.</summary>
    public HashSet<SubscriptionFlow> StalledBy { get; } = [];

    public long DroppedFrames { get; set; }

    /// <summary>Deliveries this session's subscriptions lost (full queue, or cut off as slow consumers).</summary>
    public long DroppedMessages { get; set; }

    /// <summary>When it last lost one, or null if it never did: how recent its slow-consumer state is.</summary>
    public long? LastDropAt { get; set; }

    /// <summary>The budget this session shares with the other sessions of its identity; set from WELCOME to the session's end.</summary>
    public IdentityBudget? Budget { get; set; }

    /// <summary>What this connection's subscriptions cost, in bytes (<see cref="Server.Budgets.SubscriptionCost"/>).</summary>
    public long SubscriptionBytes { get; set; }

    /// <summary>Bytes of deliveries waiting in the broker for this connection's flow-controlled subscriptions.</summary>
    public long FlowWaitBytes { get; set; }

    /// <summary>Everything the broker holds for this peer: its outbound queue, its backlog and its flow-controlled waits.</summary>
    public long QueuedBytes => (long)Output.WrittenCount + Backlog.WrittenCount + FlowWaitBytes;

    public override string ToString() => State != PeerState.Ready ? $"connection {Key:x8}"
        : Identity is null ? $"{Name} ({PeerId})" : $"{Name} ({PeerId}, identity {Identity.Name})";
}
