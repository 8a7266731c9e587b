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
        reader.EndCommand();

        if (!_streams.TryGetValue(name, out BrokerStream? stream))
        {
            writer.Refuse(peer, reference, ErrorCode.NoStream, $"no stream '{name}'", now);
            return;
        }

        if (start > (ulong)StreamStartKind.LastPerSubject || window == 0)
        {
            writer.Refuse(peer, reference, ErrorCode.Malformed, window == 0 ? "CONSUME needs a window of at least 1" : $"unknown start {start}: 0 new, 1 first, 2 sequence, 3 time, 4 last per subject", now);
            return;
        }

        if (ConsumeProblem(stream, (StreamStartKind)start, filter, durableName) is { } problem)
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

        DurableConsumer? durable = null;
        if (durableName is not null && (durable = Durable(peer, reference, stream, durableName, ackWaitMs, maxDeliveries, deadLetter, now)) is null)
        {
            return;
        }

        var cursor = new StreamCursor(stream, reference) { Durable = durable, Filter = filter, LatestOnly = start == (ulong)StreamStartKind.LastPerSubject };
        BrokerSubscription? subscription = Router!.AddConsumer(peer, reference, sid, $"stream:{name}", (uint)Math.Min(window, (ulong)options.MaxFlowWindow), cursor, now);
        if (subscription is null)
        {
            return;
        }

        stream.Consumers.Add(subscription);
        if (durable is { Known: true })
        {
            durable.Member = subscription;
            cursor.Next = durable.Floor + 1;
            Begin(subscription, now);
            return;
        }

        if (durable is not null)
        {
            durable.Member = subscription;
            cursor.Reading = true;
            _ = ResumeAsync(subscription, (StreamStartKind)start, value);
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
        if (subscription.Removed || cursor.Reading || !cursor.Started || cursor.Stream.Deleted)
        {
            return;
        }

        SubscriptionFlow flow = subscription.Flow!;
        if (flow.Credit <= 0 || subscription.Session.Backlog.WrittenCount > 0 || cursor.Next > cursor.Stream.Committed)
        {
            // No room, or caught up: the next confirmed append is delivered as it comes.
            return;
        }

        cursor.Reading = true;
        _ = ReadAsync(subscription, cursor.Next, (int)Math.Min(flow.Credit, ReadBatch));
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ex;
        }

        post(new BrokerAction(now => ReadDone(subscription, batch, error, now)));
    }

    private void ReadDone(BrokerSubscription subscription, IReadOnlyList<StoredMessage>? batch, Exception? error, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        cursor.Reading = false;
        if (subscription.Removed || subscription.Session.IsClosed || cursor.Stream.Deleted)
        {
            return;
        }

        if (error is not null)
        {
            EndConsumer(subscription, ErrorCode.StoreFailed, $"stream {cursor.Stream.Name} could not be read at sequence {cursor.Next}: {error.Message}", now);
            return;
        }

        SubscriptionFlow flow = subscription.Flow!;
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

            if (!flow.TryTake(subscription.Session))
            {
                break;
            }

            Deliver(subscription, message.Sequence, message.Timestamp, Encoding.UTF8.GetBytes(message.Subject), message.Headers.Span, message.Payload.Span, now);
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
        if (!cursor.Started || cursor.Reading || cursor.Next != append.Sequence || subscription.Removed)
        {
            return;
        }

        if (!cursor.Wants(append.Subject, append.Sequence))
        {
            cursor.Next = append.Sequence + 1;
            return;
        }

        if (!subscription.Flow!.TryTake(subscription.Session))
        {
            return;
        }

        Deliver(subscription, append.Sequence, storedAt, append.SubjectUtf8, append.Headers, append.Payload, now);
    }

    private void Deliver(BrokerSubscription subscription, ulong sequence, long timestamp, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        cursor.Next = sequence + 1;
        Router!.CountDelivered();
        MessagePackWriter w = writer.Begin(subscription.Session);
        if (cursor.Durable is { } durable)
        {
            Track(durable, sequence, timestamp, subjectUtf8, headers, payload, now);
            CommandWriter.WriteStreamMsg(ref w, subscription.Sid, ++subscription.Sequence, subjectUtf8, headers, payload, sequence, timestamp, 1);
        }
        else
        {
            CommandWriter.WriteStreamMsg(ref w, subscription.Sid, ++subscription.Sequence, subjectUtf8, headers, payload, sequence, timestamp);
        }

        writer.End(subscription.Session, ref w, now);
    }

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
