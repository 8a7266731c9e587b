namespace Mq.Broker.Streams;

/// <summary>
/// Where a consumer is in its stream: the next sequence it gets. It reads stored messages in bounded batches while
/// it has window, and once caught up it is fed each new message as the store confirms it, so the switch from stored
/// to live has neither gap nor duplicate: a message goes out only when its sequence is the one expected.
/// <para>A filter or a stream's last values pass messages over; the cursor still moves past each, in order.</para>
/// </summary>
internal sealed class StreamCursor(BrokerStream stream, ulong reference)
{
    public BrokerStream Stream { get; } = stream;

    /// <summary>The CONSUME's ref, answered with OK once the start is known.</summary>
    public ulong Reference { get; } = reference;

    /// <summary>Its own, or for a durable consumer the durable's, which all its members share.</summary>
    public StreamPosition Position { get; init; } = new();

    public ulong Next
    {
        get => Position.Next;
        set => Position.Next = value;
    }

    /// <summary>A read (or the search for a start time) is on its way back; nothing else is sent meanwhile.</summary>
    public bool Reading
    {
        get => Position.Reading;
        set => Position.Reading = value;
    }

    /// <summary>Set for a durable consumer: deliveries wait for MACK, and the floor is kept in the store.</summary>
    public DurableConsumer? Durable { get; init; }

    /// <summary>The OK went out: deliveries may follow. This subscription's own, also for a durable one.</summary>
    public bool Started { get; set; }

    /// <summary>A subject pattern: messages of other subjects are passed over (the cursor moves past them).</summary>
    public string? Filter { get; init; }

    /// <summary>Started at the last value per subject: of each subject only its newest message goes out.</summary>
    public bool LatestOnly { get; init; }

    /// <summary>
    /// Whether the message goes to this consumer: it matches the filter and, in a stream keeping last values, is still
    /// kept (or the newest, for <see cref="LatestOnly"/>). Asked on the broker thread when the message is next, so a
    /// value superseded while the read was on its way is passed over; its successor comes later in sequence order.
    /// </summary>
    public bool Wants(string subject, ulong sequence)
    {
        if (Filter is not null && !Mq.Subjects.Subject.Matches(Filter, subject))
        {
            return false;
        }

        return Stream.LastValues is not { } index || (LatestOnly ? index.IsLatest(subject, sequence) : index.IsKept(subject, sequence));
    }
}
