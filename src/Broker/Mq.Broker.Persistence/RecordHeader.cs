namespace Mq.Broker.Persistence;

/// <summary>A record's framing as parsed and checksum-verified by <see cref="RecordCodec"/>.</summary>
internal readonly record struct RecordHeader(
    int Length, RecordKind Kind, ulong Sequence, long Timestamp, int SubjectLength, int HeadersLength)
{
    public int PayloadLength => Length - RecordCodec.FrameSize - SubjectLength - HeadersLength;

    public int HeadersStart => RecordCodec.SubjectStart + SubjectLength;

    public int PayloadStart => HeadersStart + HeadersLength;
}
