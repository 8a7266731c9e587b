using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Streams;

/// <summary>
/// Durable consumers: their acknowledged floor kept in the store, explicit acknowledgements (MACK), redelivery after the
/// ack wait, and after the last allowed delivery the message published to the dead-letter subject.
/// </summary>
internal sealed partial class StreamHost
{
    public const long DefaultAckWaitMs = 30_000;

    /// <summary>The durable consumer a CONSUME names, or null with the refusal written (its name, dead letter or use).</summary>
    private DurableConsumer? Durable(PeerSession peer, ulong reference, BrokerStream stream, string name, ulong ackWaitMs, ulong maxDeliveries, string? deadLetter, long now)
    {
        deadLetter ??= $"dlq.{stream.Name}.{name}";
        string? problem = name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"durable consumer name '{name}' is not 1 to 128 letters, digits, '-' or '_'"
            : Subject.Validate(deadLetter, SubjectKind.Publish) is { } invalid ? $"dead-letter subject '{deadLetter}': {invalid}"
            : deadLetter.StartsWith("$SYS.", StringComparison.Ordinal) ? $"dead-letter subject '{deadLetter}' is under $SYS., where only the broker publishes its own"
            : stream.Captures(deadLetter) ? $"dead-letter subject '{deadLetter}' is captured by stream {stream.Name} itself"
            : null;
        if (problem is not null)
        {
            writer.Refuse(peer, reference, ErrorCode.Malformed, problem, now);
            return null;
        }

        // The broker publishes dead letters for the consumer, so only where the consumer itself may publish.
        if (peer.Permissions is { } permissions && !permissions.CanPublish(deadLetter))
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"dead letters to '{deadLetter}' need publish permission there, which identity '{peer.Identity!.Name}' lacks", now);
            events.PermissionDenied(peer, "publish", deadLetter, now);
            return null;
        }

        if (stream.Durables.TryGetValue(name, out DurableConsumer? durable) && durable.Member is not null)
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"durable consumer {name} of stream {stream.Name} is in use by another subscription", now);
            return null;
        }

        // Known since the broker started: one object for its life, so its floor and the write of it in flight stay one.
        if (durable is null)
        {
            durable = new DurableConsumer(name);
            stream.Durables[name] = durable;
        }

        durable.AckWaitMs = ackWaitMs == 0 ? DefaultAckWaitMs : (long)Math.Min(ackWaitMs, 3_600_000);
        durable.MaxDeliveries = (int)Math.Min(maxDeliveries, 1000);
        durable.DeadLetter = deadLetter;
        return durable;
    }

    /// <summary>A durable consumer's start: its stored floor if it has one, else the CONSUME's start.</summary>
    private async Task ResumeAsync(BrokerSubscription subscription, StreamStartKind start, ulong value)
    {
        StreamCursor cursor = subscription.Cursor!;
        ulong? floor = null;
        ulong? at = null;
        Exception? error = null;
        try
        {
            floor = await cursor.Stream.Store.Consumers.GetAsync(cursor.Durable!.Name).ConfigureAwait(false);
            if (floor is null && start == StreamStartKind.Time)
            {
                at = await cursor.Stream.Store.FindSequenceAsync(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(value, 253402300799999UL))).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ex;
        }

        post(new BrokerAction(now =>
        {
            cursor.Reading = false;
            if (subscription.Removed || subscription.Session.IsClosed)
            {
                return;
            }

            if (error is not null)
            {
                EndConsumer(subscription, ErrorCode.StoreFailed, $"the position of durable consumer {cursor.Durable!.Name} could not be read: {error.Message}", now);
                return;
            }

            DurableConsumer durable = cursor.Durable!;
            cursor.Next = floor is { } f ? f + 1 : start switch
            {
                StreamStartKind.First => cursor.Stream.Store.State.FirstSequence,
                StreamStartKind.Sequence => Math.Max(1, value),
                StreamStartKind.Time => at ?? cursor.Stream.Committed + 1,
                _ => cursor.Stream.Committed + 1,
            };
            // A new one's start is written at once: a restart before its first acknowledgement must not move it.
            durable.Floor = cursor.Next - 1;
            durable.Saved = floor ?? 0;
            durable.Known = true;
            Begin(subscription, now);
            Save(cursor.Stream, durable);
        }));
    }

    /// <summary>MACK <c>sid stream_seq</c>: the message is done; its slot of the window is free and the floor may rise.</summary>
    public void Acknowledge(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong sid = reader.ReadUInt();
        ulong sequence = reader.ReadUInt();
        reader.EndCommand();

        // An acknowledgement crossing an UNSUB, or for a message already dead-lettered, is expected: nothing to do.
        if (!peer.Subscriptions.TryGetValue(sid, out BrokerSubscription? subscription))
        {
            return;
        }

        if (subscription.Cursor?.Durable is not { } durable)
        {
            writer.Refuse(peer, 0, ErrorCode.Malformed, $"subscription {sid} is not a durable consumer: MACK is not expected", now);
            return;
        }

        if (durable.Outstanding.Remove(sequence))
        {
            Release(subscription);
            Advance(subscription);
            Pump(subscription, now);
        }
    }

    /// <summary>Tick: deliveries past their ack wait go out again, or to the dead-letter subject after the last allowed one.</summary>
    private void Redeliver(long now)
    {
        foreach (BrokerStream stream in _streams.Values)
        {
            foreach (DurableConsumer durable in stream.Durables.Values)
            {
                if (durable.Member is not { } subscription || durable.Outstanding.Count == 0)
                {
                    continue;
                }

                bool released = false;
                foreach ((ulong sequence, Unacknowledged pending) in durable.Outstanding.Where(o => o.Value.Deadline <= now).ToArray())
                {
                    if (durable.MaxDeliveries > 0 && pending.Deliveries >= durable.MaxDeliveries)
                    {
                        DeadLetter(stream, durable, sequence, pending, now);
                        durable.Outstanding.Remove(sequence);
                        Release(subscription);
                        released = true;
                        continue;
                    }

                    pending.Deliveries++;
                    pending.Deadline = now + durable.AckWaitMs;
                    Router!.CountDelivered();
                    MessagePackWriter w = writer.Begin(subscription.Session);
                    CommandWriter.WriteStreamMsg(ref w, subscription.Sid, ++subscription.Sequence, pending.SubjectUtf8, pending.Headers, pending.Payload, sequence, pending.Timestamp, pending.Deliveries);
                    writer.End(subscription.Session, ref w, now);
                }

                if (released)
                {
                    Advance(subscription);
                    Pump(subscription, now);
                }
            }
        }
    }

    /// <summary>A durable consumer's subscription ended: what it had not acknowledged goes again to the next one, from the floor.</summary>
    public void Left(BrokerSubscription subscription)
    {
        if (subscription.Cursor?.Durable is { } durable && durable.Member == subscription)
        {
            durable.Member = null;
            durable.Outstanding.Clear();
            Save(subscription.Cursor.Stream, durable);
        }
    }

    /// <summary>Remembers a durable delivery until it is acknowledged; the MSG carries its delivery count.</summary>
    private static void Track(DurableConsumer durable, ulong sequence, long timestamp, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now) =>
        durable.Outstanding[sequence] = new Unacknowledged(timestamp, subjectUtf8.ToArray(), headers.ToArray(), payload.ToArray()) { Deadline = now + durable.AckWaitMs };

    private static void Release(BrokerSubscription subscription)
    {
        SubscriptionFlow flow = subscription.Flow!;
        flow.Credit = Math.Min(flow.Credit + 1, flow.Window);
    }

    /// <summary>The floor is everything below the oldest unacknowledged delivery (or below the next to send); written when it rose.</summary>
    private void Advance(BrokerSubscription subscription)
    {
        StreamCursor cursor = subscription.Cursor!;
        DurableConsumer durable = cursor.Durable!;
        ulong floor = durable.Outstanding.Count > 0 ? durable.Outstanding.Keys.First() - 1 : cursor.Next - 1;
        if (floor > durable.Floor)
        {
            durable.Floor = floor;
            Save(cursor.Stream, durable);
        }
    }

    /// <summary>One write of the floor at a time; a rise meanwhile is written when it is done.</summary>
    private void Save(BrokerStream stream, DurableConsumer durable)
    {
        if (durable.Saving || durable.Floor <= durable.Saved || stream.Deleted)
        {
            return;
        }

        durable.Saving = true;
        ulong floor = durable.Floor;
        _ = SaveAsync(stream, durable, floor);
    }

    private async Task SaveAsync(BrokerStream stream, DurableConsumer durable, ulong floor)
    {
        Exception? error = null;
        try
        {
            await stream.Store.Consumers.SetAsync(durable.Name, floor).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ex;
        }

        post(new BrokerAction(now =>
        {
            durable.Saving = false;
            if (error is not null)
            {
                if (_failureLog.TryLog(now, _logger, (l, n) => LogFailuresSuppressed(l, n)))
                {
                    LogPositionFailed(stream.Name, durable.Name, error);
                }

                return;
            }

            durable.Saved = Math.Max(durable.Saved, floor);
            Save(stream, durable);
        }));
    }

    /// <summary>
    /// The message, as the broker's own publish, to the dead-letter subject: its payload unchanged, its headers with
    /// <c>mq-dead-stream</c>, <c>mq-dead-seq</c>, <c>mq-dead-subject</c> and <c>mq-dead-deliveries</c> added.
    /// </summary>
    private void DeadLetter(BrokerStream stream, DurableConsumer durable, ulong sequence, Unacknowledged pending, long now)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new MessagePackReader(pending.Headers);
            if (pending.Headers.Length > 0 && !reader.TryReadNil())
            {
                for (int count = reader.ReadMapHeader(); count > 0; count--)
                {
                    headers[reader.ReadString() ?? ""] = reader.ReadString() ?? "";
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            // Checked when it was published; a block that still does not read keeps only the added headers.
        }

        headers["mq-dead-stream"] = stream.Name;
        headers["mq-dead-seq"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["mq-dead-subject"] = System.Text.Encoding.UTF8.GetString(pending.SubjectUtf8);
        headers["mq-dead-deliveries"] = pending.Deliveries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        CommandWriter.WriteHeaders(ref w, headers);
        w.Flush();
        stream.DeadLettered++;
        LogDeadLettered(stream.Name, durable.Name, sequence, pending.Deliveries, durable.DeadLetter);
        Router!.PublishAsBroker(durable.DeadLetter, buffer.WrittenMemory, pending.Payload, now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream}: durable consumer {Consumer} did not acknowledge sequence {Sequence} after {Deliveries} deliveries; published to {DeadLetter}")]
    private partial void LogDeadLettered(string stream, string consumer, ulong sequence, int deliveries, string deadLetter);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {Stream}: the position of durable consumer {Consumer} could not be written; it is tried again at its next acknowledgement")]
    private partial void LogPositionFailed(string stream, string consumer, Exception exception);
}
