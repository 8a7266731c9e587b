namespace Mq.Client;

/// <summary>How to subscribe: queue group and delivery guarantee.</summary>
public sealed record SubscribeOptions
{
    /// <summary>With a queue group, each message goes to one member of the group instead of to every subscriber.</summary>
    public string? QueueGroup { get; init; }

    /// <summary>
    /// Flow control: the broker sends at most <see cref="MqClientOptions.SubscriptionCapacity"/> messages this
    /// subscription has not consumed yet; the rest wait in the broker and slow the publishers down, instead of
    /// being dropped. Off by default: a slow plain subscriber loses messages (and is told) but slows nobody.
    /// </summary>
    public bool FlowControl { get; init; }
}
