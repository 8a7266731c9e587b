namespace Mq.Broker.Sessions;

/// <summary>
/// A REQALL: one request per server of the service, each a <see cref="PendingRequest"/> of its own, ended for the
/// requester by one REPLY when every server answered, enough succeeded, or the deadline passed.
/// </summary>
internal sealed class ScatterGather(PeerSession requester, ulong requesterId, string service, uint maxReplies, int servers)
{
    public PeerSession Requester { get; } = requester;

    public ulong RequesterId { get; } = requesterId;

    public string Service { get; } = service;

    /// <summary>Successful replies that end it early; 0 waits for every server.</summary>
    public uint MaxReplies { get; } = maxReplies;

    /// <summary>How many servers were asked.</summary>
    public int Servers { get; } = servers;

    /// <summary>Broker ids of the requests not answered yet.</summary>
    public HashSet<ulong> Open { get; } = [];

    public uint Succeeded { get; set; }

    public bool Done => Open.Count == 0 || (MaxReplies > 0 && Succeeded >= MaxReplies);
}
