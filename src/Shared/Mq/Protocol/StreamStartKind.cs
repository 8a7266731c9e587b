namespace Mq.Protocol;

/// <summary>Where a CONSUME starts reading its stream. Numbers are part of the wire format.</summary>
public enum StreamStartKind : byte
{
    /// <summary>Only messages stored after the broker read the CONSUME.</summary>
    New = 0,
    /// <summary>From the first message the stream holds.</summary>
    First = 1,
    /// <summary>From the stream sequence given (or the first held, if that is later).</summary>
    Sequence = 2,
    /// <summary>From the first message stored at or after the time given, in unix milliseconds.</summary>
    Time = 3,
    /// <summary>
    /// The newest message of each subject the stream holds (a stream keeping last values), in sequence order, then
    /// what comes: a late joiner's current state, then changes.
    /// </summary>
    LastPerSubject = 4,
}
