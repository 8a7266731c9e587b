namespace Mq.Broker.Streams;

/// <summary>
/// Where a consumer is in its stream: the next sequence it gets. It reads stored messages in bounded batches while
/// it has window, and once caught up it is fed each new message as the store confirms it, so the switch from stored
/// to live has neither gap nor duplicate: a message goes out only when its sequence is the one expected.
/// </summary>
internal sealed class StreamCursor(BrokerStream stream, ulong reference)
{
    public BrokerStream Stream { get; } = stream;

    /// <summary>The CONSUME's ref, answered with OK once the start is known.</summary>
    public ulong Reference { get; } = reference;

    public ulong Next { get; set; }

    /// <summary>A read (or the search for a start time) is on its way back; nothing else is sent meanwhile.</summary>
    public bool Reading { get; set; }

    /// <summary>Set for a durable consumer: deliveries wait for MACK, and the floor is kept in the store.</summary>
    public DurableConsumer? Durable { get; init; }

    /// <summary>The OK went out: deliveries may follow.</summary>
    public bool Started { get; set; }
}
