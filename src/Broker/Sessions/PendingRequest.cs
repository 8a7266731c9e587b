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

    public long Deadline { get; } = deadline;
}
