namespace Mq.Client;

/// <summary>Messages of a subscription were lost: its local buffer overflowed, or the broker dropped them (a sequence gap).</summary>
public sealed class MessagesDroppedEventArgs(string pattern, long count, long total, bool local) : EventArgs
{
    public string Pattern { get; } = pattern;

    /// <summary>How many were lost in this event.</summary>
    public long Count { get; } = count;

    /// <summary>How many this subscription has lost in all.</summary>
    public long Total { get; } = total;

    /// <summary>True if this client's buffer overflowed; false if the broker's sequence numbers showed a gap.</summary>
    public bool Local { get; } = local;
}
