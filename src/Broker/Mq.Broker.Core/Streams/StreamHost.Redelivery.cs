using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Routing;
using Mq.Protocol;

namespace Mq.Broker.Streams;

/// <summary>
/// Durable consumers' deliveries that went unacknowledged: sent again after the ack wait (to another member of a shared
/// consumer if one has room), sent at once to another member when the one holding them leaves, and after the last
/// allowed delivery published to the dead-letter subject.
/// </summary>
internal sealed partial class StreamHost
{
    /// <summary>Tick: deliveries past their ack wait go out again, or to the dead-letter subject after the last allowed one.</summary>
    private void Redeliver(long now)
    {
        foreach (BrokerStream stream in _streams.Values)
        {
            foreach (DurableConsumer durable in stream.Durables.Values)
            {
                if (durable.Members.Count == 0 || durable.Outstanding.Count == 0)
                {
                    continue;
                }

                bool released = false;
                // Those whose member left are not due: they go out as soon as a member has room (Reassign).
                foreach ((ulong sequence, Unacknowledged pending) in durable.Outstanding.Where(o => o.Value.Deadline <= now && o.Value.Holder is not null).ToArray())
                {
                    BrokerSubscription holder = pending.Holder!;
                    if (durable.MaxDeliveries > 0 && pending.Deliveries >= durable.MaxDeliveries)
                    {
                        DeadLetter(stream, durable, sequence, pending, now);
                        durable.Outstanding.Remove(sequence);
                        Release(holder);
                        released = true;
                        continue;
                    }

                    // A member that did not acknowledge in time may be stuck: another with room gets it, else the same one.
                    BrokerSubscription target = durable.Take(except: holder) ?? holder;
                    if (target != holder)
                    {
                        Release(holder);
                    }

                    Resend(durable, sequence, pending, target, now);
                }

                if (released)
                {
                    Advance(durable.Members[0]);
                    Pump(durable.Members[0], now);
                }
            }
        }
    }

    /// <summary>
    /// A durable consumer's subscription ended. The last one: what it had not acknowledged goes to the next subscription,
    /// from the floor. One of several sharing it: what it held goes to the others now, not after the ack wait.
    /// </summary>
    public void Left(BrokerSubscription subscription)
    {
        if (subscription.Cursor?.Durable is not { } durable || !durable.Members.Remove(subscription))
        {
            return;
        }

        if (durable.Members.Count == 0)
        {
            durable.Outstanding.Clear();
            Save(subscription.Cursor.Stream, durable);
            return;
        }

        bool orphaned = false;
        foreach (Unacknowledged pending in durable.Outstanding.Values)
        {
            if (pending.Holder == subscription)
            {
                pending.Holder = null;
                orphaned = true;
            }
        }

        if (orphaned)
        {
            // After the removal in progress (a peer leaving removes all its subscriptions, maybe more members of this one).
            post(new BrokerAction(now =>
            {
                if (durable.Members.Count > 0)
                {
                    Pump(durable.Members[0], now);
                }
            }));
        }
    }

    /// <summary>Deliveries whose member left go to members with room, oldest first; those past their last delivery to the dead-letter subject.</summary>
    private void Reassign(DurableConsumer durable, BrokerStream stream, long now)
    {
        List<ulong>? dead = null;
        foreach ((ulong sequence, Unacknowledged pending) in durable.Outstanding)
        {
            if (pending.Holder is not null)
            {
                continue;
            }

            if (durable.MaxDeliveries > 0 && pending.Deliveries >= durable.MaxDeliveries)
            {
                DeadLetter(stream, durable, sequence, pending, now);
                (dead ??= []).Add(sequence);
                continue;
            }

            if (durable.Take() is not { } target)
            {
                break;
            }

            Resend(durable, sequence, pending, target, now);
        }

        if (dead is not null)
        {
            foreach (ulong sequence in dead)
            {
                durable.Outstanding.Remove(sequence);
            }

            Advance(durable.Members[0]);
        }
    }

    /// <summary>A delivery again, to <paramref name="target"/> (whose window it now holds), with its count one higher.</summary>
    private void Resend(DurableConsumer durable, ulong sequence, Unacknowledged pending, BrokerSubscription target, long now)
    {
        pending.Deliveries++;
        pending.Deadline = now + durable.AckWaitMs;
        pending.Holder = target;
        Router!.CountDelivered();
        MessagePackWriter w = writer.Begin(target.Session);
        CommandWriter.WriteStreamMsg(ref w, target.Sid, ++target.Sequence, pending.SubjectUtf8, pending.Headers, pending.Payload, sequence, pending.Timestamp, pending.Deliveries);
        writer.End(target.Session, ref w, now);
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
}
