using System.Collections.Concurrent;

namespace Mq.Client.Connection;

/// <summary>What a client has open: shared by caller threads (which add and remove) and the socket thread (which delivers).</summary>
internal sealed class ClientTables
{
    public ConcurrentDictionary<ulong, MqSubscription> Subscriptions { get; } = new();

    public ConcurrentDictionary<string, MqService> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests handed to this peer's services and not finished, by the broker's id: for ABORT and GRANTED.</summary>
    public ConcurrentDictionary<ulong, MqRequest> Serving { get; } = new();

    public PendingCalls Pending { get; } = new();

    public UnreportedRefusals Refusals { get; } = new();
}
