namespace Mq.Broker.Streams;

/// <summary>A delivery of a durable consumer waiting for its acknowledgement, with what it takes to send it again.</summary>
internal sealed class Unacknowledged(long timestamp, byte[] subjectUtf8, byte[] headers, byte[] payload)
{
    public long Timestamp { get; } = timestamp;

    public byte[] SubjectUtf8 { get; } = subjectUtf8;

    public byte[] Headers { get; } = headers;

    public byte[] Payload { get; } = payload;

    public int Deliveries { get; set; } = 1;

    public long Deadline { get; set; }

    /// <summary>The member it was sent to last, whose window it holds; null once that member left and until another gets it.</summary>
    public Routing.BrokerSubscription? Holder { get; set; }
}
