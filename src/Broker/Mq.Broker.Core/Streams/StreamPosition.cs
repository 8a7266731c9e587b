namespace Mq.Broker.Streams;

/// <summary>
/// The next sequence a consumer gets, and whether a read for it is on its way. An ephemeral consumer has its own; the
/// members of a durable consumer share the durable's, so a message goes out once to one of them.
/// </summary>
internal sealed class StreamPosition
{
    public ulong Next { get; set; }

    /// <summary>A read (or the search for a start) is on its way back; nothing else is sent meanwhile.</summary>
    public bool Reading { get; set; }
}
