namespace Mq.Broker.Sessions;

/// <summary>A request routed to a server and not yet answered, under the broker's own id.</summary>
internal sealed class PendingRequest(ulong brokerId, PeerSession requester, ulong requesterId, PeerSession server, string service, long deadline)
{
    public ulong BrokerId { get; } = brokerId;

    public PeerSession Requester { get; } = requester;

    /// <summary>The id the requester chose, echoed in its REPLY.</summary>
    public ulong RequesterId { get; } = requesterId;

    public PeerSession Server { get; } = server;

    public string Service { get; } = service;

    /// <summary>
    /// The requester's peer id when it asked: a second HELLO on the same connection starts a new session
    /// that must not receive the old one's replies.
    /// </summary>
    public string RequesterPeerId { get; } = requester.PeerId;

    public bool RequesterGone => Requester.IsClosed || Requester.PeerId != RequesterPeerId;

    public long Deadline { get; } = deadline;
}
