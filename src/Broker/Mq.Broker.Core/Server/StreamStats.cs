namespace Mq.Broker.Server;

/// <summary>One stream's figures in <see cref="BrokerStats.Streams"/>: what it holds, and its consumers.</summary>
public sealed record StreamStats
{
    public required string Name { get; init; }

    public long Messages { get; init; }

    /// <summary>What its messages take in the store, 32 bytes of framing each included (what <c>MaxBytes</c> counts).</summary>
    public long Bytes { get; init; }

    public ulong FirstSequence { get; init; }

    /// <summary>The last sequence the store confirmed: consumers get nothing beyond it.</summary>
    public ulong LastSequence { get; init; }

    /// <summary>Subscriptions reading it now, ephemeral and durable.</summary>
    public int Consumers { get; init; }

    /// <summary>Messages stored since the broker started.</summary>
    public long Stored { get; init; }

    /// <summary>Messages it refused since the broker started (full, a failed write, too much waiting for the disk).</summary>
    public long Refused { get; init; }

    /// <summary>Messages its durable consumers gave up on and published to their dead-letter subjects.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Its durable consumers known since the broker started, by name.</summary>
    public IReadOnlyList<DurableConsumerStats> DurableConsumers { get; init; } = [];
}

/// <summary>A durable consumer's figures in <see cref="StreamStats.DurableConsumers"/>.</summary>
public sealed record DurableConsumerStats
{
    public required string Name { get; init; }

    /// <summary>The acknowledged floor the store holds: every message at or below it is done.</summary>
    public ulong AckFloor { get; init; }

    /// <summary>Stream sequences after its position, not yet sent to it (a subject filter may pass some of them over).</summary>
    public long Pending { get; init; }

    /// <summary>Deliveries sent and not acknowledged yet.</summary>
    public int Unacknowledged { get; init; }

    /// <summary>Subscriptions reading it now: 0 when none, more than 1 when shared.</summary>
    public int Members { get; init; }
}
