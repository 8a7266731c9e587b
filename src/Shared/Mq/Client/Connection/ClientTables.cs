using System.Collections.Concurrent;

namespace Mq.Client.Connection;

/// <summary>What a client has open: shared by caller threads (which add and remove) and the socket thread (which delivers).</summary>
internal sealed class ClientTables
{
    public ConcurrentDictionary<ulong, MqSubscription> Subscriptions { get; } = new();

    public ConcurrentDictionary<string, MqService> Services { get; } = new(StringComparer.Ordinal);

    public PendingCalls Pending { get; } = new();

    public UnreportedRefusals Refusals { get; } = new();
}
