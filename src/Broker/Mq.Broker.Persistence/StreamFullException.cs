namespace Mq.Broker.Persistence;

/// <summary>An append refused because the stream is at a limit and its discard policy is <see cref="DiscardPolicy.New"/>.</summary>
public sealed class StreamFullException : StoreException
{
    public StreamFullException(string stream, string limit)
        : base($"Stream '{stream}' is full ({limit}) and refuses new messages (discard policy New): "
            + "consume and purge it, or raise its limits.")
    {
        Stream = stream;
        Limit = limit;
    }

    public string Stream { get; }

    /// <summary>Which limit refused the append, such as "MaxMessages 1000".</summary>
    public string Limit { get; }
}
