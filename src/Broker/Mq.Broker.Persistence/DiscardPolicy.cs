namespace Mq.Broker.Persistence;

/// <summary>What a stream does when an append would exceed its message or byte limit.</summary>
public enum DiscardPolicy
{
    /// <summary>Drop the oldest messages to make room.</summary>
    Old,

    /// <summary>Refuse the append with <see cref="StreamFullException"/>; stored messages stay.</summary>
    New,
}
