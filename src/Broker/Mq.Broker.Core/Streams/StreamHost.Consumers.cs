using System.Text;
using MessagePack;
using Mq.Broker.Persistence;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Streams;

/// <summary>
/// CONSUME: a subscription that reads a stream from a start. Stored messages go out in batches read as the window
/// has room (never the whole stream at once); once caught up, each new message as the store confirms it.
/// </summary>
internal sealed partial class StreamHost
{
    /// <summary>The most messages one read asks for; a read never asks for more than the window has room for.</summary>
    public const int ReadBatch = 256;

    public void Consume(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        ulong sid = reader.ReadUInt();
        string name = reader.ReadString(ProtocolLimits.MaxNameBytes);
        ulong start = reader.ReadUInt();
        ulong value = reader.ReadUInt();
        ulong window = reader.ReadUInt();
        string? durableName = reader.HasMoreFields ? reader.ReadStringOrNil(ProtocolLimits.MaxNameBytes) : null;
        ulong ackWaitMs = reader.HasMoreFields ? reader.ReadUInt() : 0;
        ulong maxDeliveries = reader.HasMoreFields ? reader.ReadUInt() : 0;
        string? deadLetter = reader.HasMoreFields ? reader.ReadStringOrNil(ProtocolLimits.MaxSubjectBytes) : null;
        string? filter = reader.HasMoreFields ? reader.ReadStringOrNil(ProtocolLimits.MaxSubjectBytes) : null;
        ulong shared = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();

        if (!_streams.TryGetValue(name, out BrokerStream? stream))
        {
            writer.Refuse(peer, reference, ErrorCode.NoStream, $"no stream '{name}'", now);
            return;
        }

        if (start > (ulong)StreamStartKind.LastPerSubject || window == 0 || shared > 1)
        {
            writer.Refuse(peer, reference, ErrorCode.Malformed, window == 0 ? "CONSUME needs a window of at least 1"
                : shared > 1 ? $"CONSUME's shared field is 0 or 1, not {shared}"
                : $"unknown start {start}: 0 new, 1 first, 2 sequence, 3 time, 4 last per subject", now);
            return;
        }

        if ((ConsumeProblem(stream, (StreamStartKind)start, filter, durableName) ?? (shared == 1 && durableName is null ? "only a durable consumer can be shared: name it" : null)) is { } problem)
        {
            writer.Refuse(peer, reference, ErrorCode.Malformed, problem, now);
            return;
        }

        if (peer.Permissions is { } permissions && ReadSubjects(stream, filter).FirstOrDefault(p => !permissions.CanSubscribe(p)) is { } denied)
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"reading stream {name} needs subscribe permission on '{denied}', which identity '{peer.Identity!.Name}' lacks", now);
            events.PermissionDenied(peer, "subscribe", denied, now);
            return;
        }

        DurableSettings? settings = durableName is null ? null : new DurableSettings(
            ackWaitMs == 0 ? DefaultAckWaitMs : (long)Math.Min(ackWaitMs, 3_600_000),
            (int)Math.Min(maxDeliveries, 1000),
            deadLetter ?? $"dlq.{stream.Name}.{durableName}",
            filter,
            (StreamStartKind)start,
            start is (ulong)StreamStartKind.Sequence or (ulong)StreamStartKind.Time ? value : 0,
            shared == 1);
        DurableConsumer? durable = null;
        if (settings is not null && (durable = Durable(peer, reference, stream, durableName!, settings, now)) is null)
        {
            return;
        }

        var cursor = new StreamCursor(stream, reference)
        {
            Durable = durable,
            Filter = filter,
            LatestOnly = start == (ulong)StreamStartKind.LastPerSubject,
            Position = durable?.Position ?? new StreamPosition(),
        };
        BrokerSubscription? subscription = Router!.AddConsumer(peer, reference, sid, $"stream:{name}", (uint)Math.Min(window, (ulong)options.MaxFlowWindow), cursor, now);
        if (subscription is null)
        {
            return;
        }

        stream.Consumers.Add(subscription);
        if (durable is not null)
        {
            Join(subscription, settings!, now);
            return;
        }

        switch ((StreamStartKind)start)
        {
            case StreamStartKind.New:
                cursor.Next = stream.Committed + 1;
                break;
            case StreamStartKind.First or StreamStartKind.LastPerSubject:
                cursor.Next = stream.Store.State.FirstSequence;
                break;
            case StreamStartKind.Sequence:
                cursor.Next = Math.Max(1, value);
                break;
            default:
                cursor.Reading = true;
                _ = FindStartAsync(subscription, DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(value, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())));
                return;
        }

        Begin(subscription, now);
    }

    /// <summary>Why the streams are not quiet (section 8.1 of the protocol): appends not yet confirmed, or consumers behind with room.</summary>
    public string? Busy()
    {
        foreach (BrokerStream stream in _streams.Values)
        {
            if (stream.Pending.Count > 0)
            {
                return $"{stream.Pending.Count} message(s) wait for stream {stream.Name}'s store";
            }

            foreach (BrokerSubscription consumer in stream.Consumers)
            {
                if (consumer.Cursor!.Reading || (consumer.Cursor.Next <= stream.Committed && consumer.Flow!.Credit > 0))
                {
                    return $"a consumer of stream {stream.Name} is reading from sequence {consumer.Cursor.Next}";
                }
            }
        }

        return null;
    }

    /// <summary>More room (an ACK, or the peer's queue drained): reads on if the consumer is behind.</summary>
    public void Pump(BrokerSubscription subscription, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        if (cursor.Reading || cursor.Stream.Deleted)
        {
            return;
        }

        long room;
        if (cursor.Durable is { } durable)
        {
            // The members read together: what one of them left behind goes out first, then the stream, to any with room.
            if (!durable.Known || durable.Members.Count == 0)
            {
                return;
            }

            Reassign(durable, cursor.Stream, now);
            room = durable.Room();
        }
        else
        {
            room = subscription.Removed || !cursor.Started || !subscription.Flow!.HasRoom(subscription.Session) ? 0 : subscription.Flow.Credit;
        }

        if (room <= 0 || cursor.Next > cursor.Stream.Committed)
        {
            // No room, or caught up: the next confirmed append is delivered as it comes.
            return;
        }

        cursor.Reading = true;
        _ = ReadAsync(subscription, cursor.Next, (int)Math.Min(room, ReadBatch));
    }

    private void Begin(BrokerSubscription subscription, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        cursor.Started = true;
        MessagePackWriter w = writer.Begin(subscription.Session);
        CommandWriter.WriteOk(ref w, cursor.Reference, subscription.Flow!.Window);
        writer.End(subscription.Session, ref w, now);
        Pump(subscription, now);
    }

    private async Task FindStartAsync(BrokerSubscription subscription, DateTimeOffset time)
    {
        ulong? found = null;
        Exception? error = null;
        try
        {
            found = await subscription.Cursor!.Stream.Store.FindSequenceAsync(time).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        post(new BrokerAction(now =>
        {
            StreamCursor cursor = subscription.Cursor!;
            cursor.Reading = false;
            if (subscription.Removed || subscription.Session.IsClosed)
            {
                return;
            }

            if (error is not null)
            {
                EndConsumer(subscription, ErrorCode.StoreFailed, $"stream {cursor.Stream.Name} could not find where {time:O} starts: {error.Message}", now);
                return;
            }

            // Nothing stored at or after the time: only what comes next.
            cursor.Next = found ?? cursor.Stream.Committed + 1;
            Begin(subscription, now);
        }));
    }

    private async Task ReadAsync(BrokerSubscription subscription, ulong from, int count)
    {
        IReadOnlyList<StoredMessage>? batch = null;
        Exception? error = null;
        try
        {
            batch = await subscription.Cursor!.Stream.Store.ReadAsync(from, count).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Out of memory too: a faulted task nobody awaits would stall this consumer unseen; it is ended with the reason instead.
            error = ex;
        }

        post(new BrokerAction(now => ReadDone(subscription, from, batch, error, now)));
    }

    private void ReadDone(BrokerSubscription subscription, ulong from, IReadOnlyList<StoredMessage>? batch, Exception? error, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        cursor.Reading = false;
        // A durable consumer's read serves whichever members it has now, also if the one that asked has left.
        bool gone = cursor.Durable is { } durable ? durable.Members.Count == 0 : subscription.Removed || subscription.Session.IsClosed;
        if (gone || cursor.Stream.Deleted)
        {
            return;
        }

        if (error is not null)
        {
            string reason = $"stream {cursor.Stream.Name} could not be read at sequence {cursor.Next}: {error.Message}";
            foreach (BrokerSubscription member in cursor.Durable?.Members.ToArray() ?? [subscription])
            {
                EndConsumer(member, ErrorCode.StoreFailed, reason, now);
            }

            return;
        }

        if (from != cursor.Next)
        {
            // A durable consumer bound afresh while the read was out: its position moved, so read again from there.
            Pump(subscription, now);
            return;
        }

        foreach (StoredMessage message in batch!)
        {
            if (message.Sequence < cursor.Next)
            {
                continue;
            }

            // Beyond what the broker thread has seen confirmed: those come live, in order, with their acknowledgements.
            if (message.Sequence > cursor.Stream.Committed)
            {
                break;
            }

            if (!cursor.Wants(message.Subject, message.Sequence))
            {
                cursor.Next = message.Sequence + 1;
                continue;
            }

            if (Take(subscription) is not { } target)
            {
                break;
            }

            Deliver(target, message.Sequence, message.Timestamp, Encoding.UTF8.GetBytes(message.Subject), message.Headers.Span, message.Payload.Span, now);
        }

        if (batch!.Count == 0)
        {
            // Everything from Next on was removed (a purge, or limits): go on from what the stream now holds.
            cursor.Next = Math.Max(cursor.Next, cursor.Stream.Store.State.FirstSequence);
        }

        Pump(subscription, now);
    }

    /// <summary>A newly confirmed message, to a consumer that expects exactly it and has room; any other catches up by reading.</summary>
    private void Live(BrokerSubscription subscription, PendingAppend append, long storedAt, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        bool ready = cursor.Durable is { } durable ? durable.Known : cursor.Started && !subscription.Removed;
        if (!ready || cursor.Reading || cursor.Next != append.Sequence)
        {
            return;
        }

        if (!cursor.Wants(append.Subject, append.Sequence))
        {
            cursor.Next = append.Sequence + 1;
            return;
        }

        if (Take(subscription) is not { } target)
        {
            return;
        }

        Deliver(target, append.Sequence, storedAt, append.SubjectUtf8, append.Headers, append.Payload, now);
    }

    private void Deliver(BrokerSubscription subscription, ulong sequence, long timestamp, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        cursor.Next = sequence + 1;
        Router!.CountDelivered();
        MessagePackWriter w = writer.Begin(subscription.Session);
        if (cursor.Durable is { } durable)
        {
            Track(durable, subscription, sequence, timestamp, subjectUtf8, headers, payload, now);
            CommandWriter.WriteStreamMsg(ref w, subscription.Sid, ++subscription.Sequence, subjectUtf8, headers, payload, sequence, timestamp, 1);
        }
        else
        {
            CommandWriter.WriteStreamMsg(ref w, subscription.Sid, ++subscription.Sequence, subjectUtf8, headers, payload, sequence, timestamp);
        }

        writer.End(subscription.Session, ref w, now);
    }

    /// <summary>The subscription a message goes to, with a place of its window taken: itself, or for a durable consumer the next member with room.</summary>
    private static BrokerSubscription? Take(BrokerSubscription subscription) =>
        subscription.Cursor!.Durable is { } durable ? durable.Take()
        : subscription.Flow!.TryTake(subscription.Session) ? subscription : null;

    /// <summary>Ends a consumer the broker cannot serve any more; its peer gets REVOKED with the reason.</summary>
    private void EndConsumer(BrokerSubscription subscription, ErrorCode code, string reason, long now)
    {
        if (!subscription.Cursor!.Started)
        {
            RefuseLater(subscription.Session, CommandCode.Consume, subscription.Cursor.Reference, code, reason, now);
            Router!.RemoveConsumer(subscription, now);
            return;
        }

        Router!.RemoveConsumer(subscription, now);
        MessagePackWriter w = writer.Begin(subscription.Session);
        CommandWriter.WriteRevoked(ref w, subscription.Sid, null, reason, code);
        writer.End(subscription.Session, ref w, now);
    }

    private sealed class BrokerAction(Action<long> action) : Server.IBrokerWork
    {
        public void Run(long now) => action(now);
    }
}
