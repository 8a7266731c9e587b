using MessagePack;

namespace Mq.Protocol;

/// <summary>Durable streams: publishing with a stored acknowledgement, and consuming a stream from a start (docs/protocol.md §7.2).</summary>
public static partial class CommandWriter
{
    /// <summary>A PUB whose <paramref name="reference"/> comes back in STORED (or ERROR) once a stream holds the message.</summary>
    public static void WriteDurablePub(ref MessagePackWriter w, ulong reference, string subject, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(5);
        w.Write((byte)CommandCode.DurablePub);
        w.Write(reference);
        w.Write(subject);
        WriteHeaders(ref w, headers);
        w.Write(payload);
    }

    /// <summary>The durable acknowledgement: <paramref name="duplicate"/> says the message id was seen and nothing new was stored.</summary>
    public static void WriteStored(ref MessagePackWriter w, ulong reference, string stream, ulong sequence, bool duplicate)
    {
        w.WriteArrayHeader(5);
        w.Write((byte)CommandCode.Stored);
        w.Write(reference);
        w.Write(stream);
        w.Write(sequence);
        w.Write(duplicate ? 1u : 0u);
    }

    /// <summary>CONSUME: read <paramref name="stream"/> from <paramref name="start"/> (with its <paramref name="startValue"/>), at most <paramref name="window"/> unacknowledged.</summary>
    public static void WriteConsume(ref MessagePackWriter w, ulong reference, ulong sid, string stream, StreamStartKind start, ulong startValue, uint window) =>
        WriteConsume(ref w, 7, reference, sid, stream, start, startValue, window);

    /// <summary>
    /// CONSUME for the durable consumer <paramref name="durable"/>: it goes on from the floor the broker keeps for it; a
    /// delivery not acknowledged (MACK) within <paramref name="ackWaitMs"/> is sent again, at most
    /// <paramref name="maxDeliveries"/> times (0: no limit), then published to <paramref name="deadLetter"/>.
    /// </summary>
    public static void WriteConsume(ref MessagePackWriter w, ulong reference, ulong sid, string stream, StreamStartKind start, ulong startValue, uint window,
        string durable, uint ackWaitMs, uint maxDeliveries, string? deadLetter)
    {
        WriteConsume(ref w, 11, reference, sid, stream, start, startValue, window);
        w.Write(durable);
        w.Write(ackWaitMs);
        w.Write(maxDeliveries);
        WriteStringOrNil(ref w, deadLetter);
    }

    /// <summary>
    /// CONSUME for the durable consumer <paramref name="durable"/> as the overload without a filter writes it, plus its
    /// subject <paramref name="filter"/> (null: every subject) and, with <paramref name="shared"/>, the ask to share it with
    /// the other subscriptions that ask the same (the thirteenth field).
    /// </summary>
    public static void WriteConsume(ref MessagePackWriter w, ulong reference, ulong sid, string stream, StreamStartKind start, ulong startValue, uint window,
        string durable, uint ackWaitMs, uint maxDeliveries, string? deadLetter, string? filter, bool shared)
    {
        WriteConsume(ref w, 13, reference, sid, stream, start, startValue, window);
        w.Write(durable);
        w.Write(ackWaitMs);
        w.Write(maxDeliveries);
        WriteStringOrNil(ref w, deadLetter);
        WriteStringOrNil(ref w, filter);
        w.Write(shared ? 1u : 0u);
    }

    /// <summary>
    /// CONSUME of a consumer that is not durable, with a subject <paramref name="filter"/> (null: every subject): the
    /// durable fields are nil and 0, the filter is the twelfth.
    /// </summary>
    public static void WriteConsume(ref MessagePackWriter w, ulong reference, ulong sid, string stream, StreamStartKind start, ulong startValue, uint window, string? filter)
    {
        w.WriteArrayHeader(12);
        w.Write((byte)CommandCode.Consume);
        w.Write(reference);
        w.Write(sid);
        w.Write(stream);
        w.Write((byte)start);
        w.Write(startValue);
        w.Write(window);
        w.WriteNil();
        w.Write(0u);
        w.Write(0u);
        w.WriteNil();
        WriteStringOrNil(ref w, filter);
    }

    /// <summary>MACK: the durable consumer <paramref name="sid"/> is done with the message of <paramref name="streamSequence"/>.</summary>
    public static void WriteStreamAck(ref MessagePackWriter w, ulong sid, ulong streamSequence)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.StreamAck);
        w.Write(sid);
        w.Write(streamSequence);
    }

    /// <summary>A durable consumer's MSG: a stream consumer's, then how many times it was delivered (1 the first time).</summary>
    public static void WriteStreamMsg(ref MessagePackWriter w, ulong sid, ulong seq, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload, ulong streamSequence, long timestamp, int deliveries)
    {
        WriteMsg(ref w, 9, sid, seq, subjectUtf8, rawHeaders, payload);
        w.Write(streamSequence);
        w.Write((ulong)Math.Max(0, timestamp));
        w.Write((uint)Math.Max(1, deliveries));
    }

    /// <summary>A MSG of a stream consumer: MSG's fields, then the message's stream sequence and stored time (unix milliseconds).</summary>
    public static void WriteStreamMsg(ref MessagePackWriter w, ulong sid, ulong seq, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload, ulong streamSequence, long timestamp)
    {
        WriteMsg(ref w, 8, sid, seq, subjectUtf8, rawHeaders, payload);
        w.Write(streamSequence);
        w.Write((ulong)Math.Max(0, timestamp));
    }

    /// <summary>CONSUME's first seven fields under a header of <paramref name="fields"/>: a durable consumer's adds four after them.</summary>
    private static void WriteConsume(ref MessagePackWriter w, int fields, ulong reference, ulong sid, string stream, StreamStartKind start, ulong startValue, uint window)
    {
        w.WriteArrayHeader(fields);
        w.Write((byte)CommandCode.Consume);
        w.Write(reference);
        w.Write(sid);
        w.Write(stream);
        w.Write((byte)start);
        w.Write(startValue);
        w.Write(window);
    }
}
