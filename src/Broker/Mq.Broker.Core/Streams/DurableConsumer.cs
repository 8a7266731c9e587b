using Mq.Broker.Routing;

namespace Mq.Broker.Streams;

/// <summary>
/// A named consumer of a stream whose acknowledged floor is kept in the store: every message at or below it is
/// acknowledged. Deliveries not acknowledged within <see cref="AckWaitMs"/> are sent again, up to
/// <see cref="MaxDeliveries"/>, then published to <see cref="DeadLetter"/>. Broker thread only.
/// </summary>
internal sealed class DurableConsumer(string name)
{
    public string Name { get; } = name;

    /// <summary>The settings of the CONSUME reading it now (each CONSUME may change them).</summary>
    public long AckWaitMs { get; set; }

    /// <summary>0: no limit.</summary>
    public int MaxDeliveries { get; set; }

    public string DeadLetter { get; set; } = "";

    /// <summary>The subscription reading it now; one at a time.</summary>
    public BrokerSubscription? Member { get; set; }

    public ulong Floor { get; set; }

    /// <summary>Read before in this broker's life: <see cref="Floor"/> is current and the store need not be asked.</summary>
    public bool Known { get; set; }

    /// <summary>The floor the store holds (or is writing): a change is written when the floor passes it.</summary>
    public ulong Saved { get; set; }

    public bool Saving { get; set; }

    /// <summary>Sent and not acknowledged, by stream sequence.</summary>
    public SortedDictionary<ulong, Unacknowledged> Outstanding { get; } = [];
}
