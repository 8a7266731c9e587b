namespace Mq.Client;

/// <summary>
/// A durable consumer of a stream: the broker keeps its position (the acknowledged floor) in the store across consumer
/// and broker restarts. Each message must be acknowledged (<see cref="MqMessage.AckAsync"/>); one that is not within
/// <see cref="AckWait"/> is delivered again, at most <see cref="MaxDeliveries"/> times, then published to
/// <see cref="DeadLetter"/> with its payload and delivery count.
/// </summary>
public sealed record ConsumeOptions
{
    /// <summary>The consumer's name within its stream: letters, digits, '-' and '_'.</summary>
    public required string Durable { get; init; }

    /// <summary>How long a delivery may go unacknowledged before it is sent again; null: the broker's default, 30 s.</summary>
    public TimeSpan? AckWait { get; init; }

    /// <summary>Deliveries of one message before it goes to <see cref="DeadLetter"/>; null: no limit.</summary>
    public int? MaxDeliveries { get; init; }

    /// <summary>Where a message goes after its last delivery; null: <c>dlq.&lt;stream&gt;.&lt;durable&gt;</c>.</summary>
    public string? DeadLetter { get; init; }

    /// <summary>
    /// Read the consumer together with other subscriptions (of this or other clients) that share it too, like a queue
    /// group: each message goes to one of them, balanced by their room, and what one of them leaves unacknowledged when
    /// it ends goes to the others at once. Every subscription must ask for it with the same settings (<see cref="AckWait"/>,
    /// <see cref="MaxDeliveries"/>, <see cref="DeadLetter"/> and the start), else it is refused with
    /// <see cref="Protocol.ErrorCode.Conflict"/>. False (the default): the consumer reads alone, and a second subscription
    /// while it reads is refused, so messages keep their stream order.
    /// </summary>
    public bool Shared { get; init; }
}
