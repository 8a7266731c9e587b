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
    private DurableConsumer? Durable(PeerSession peer, ulong reference, BrokerStream stream, string name, DurableSettings asked, long now)
    {
        string deadLetter = asked.DeadLetter;
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

        if (stream.Durables.TryGetValue(name, out DurableConsumer? durable) && durable.Members.Count > 0)
        {
            // Sharing is asked for by every member, so a second copy of a consumer meant to be alone is refused as before.
            if (!asked.Shared || !durable.Settings.Shared)
            {
                writer.Refuse(peer, reference, ErrorCode.Conflict, $"durable consumer {name} of stream {stream.Name} is in use by another subscription"
                    + (asked.Shared || durable.Settings.Shared ? $" that {(asked.Shared ? "does not share it" : "shares it")}: every subscription of a shared durable consumer asks to share it" : ""), now);
                return null;
            }

            if (durable.Settings.Mismatch(asked) is { } mismatch)
            {
                writer.Refuse(peer, reference, ErrorCode.Conflict, $"durable consumer {name} of stream {stream.Name} is read by {durable.Members.Count} subscription(s) with other settings ({mismatch}): ask for the same, or use another name", now);
                return null;
            }
        }

        // Known since the broker started: one object for its life, so its floor and the write of it in flight stay one.
        if (durable is null)
        {
            durable = new DurableConsumer(name);
            stream.Durables[name] = durable;
        }

        return durable;
    }

    /// <summary>
    /// A subscription of a durable consumer is in place: the first one sets the settings and starts from the floor (read
    /// from the store the first time); one joining a shared consumer reads on with the others from where they are.
    /// </summary>
    private void Join(BrokerSubscription subscription, DurableSettings settings, long now)
    {
        StreamCursor cursor = subscription.Cursor!;
        DurableConsumer durable = cursor.Durable!;
        durable.Members.Add(subscription);
        if (durable.Members.Count > 1)
        {
            // While the floor is still being read, the read's end begins every member.
            if (durable.Known)
            {
                Begin(subscription, now);
            }

            return;
        }

        durable.Settings = settings;
        if (durable.Known)
        {
            cursor.Next = durable.Floor + 1;
            Begin(subscription, now);
        }
        else if (!cursor.Reading)
        {
            cursor.Reading = true;
            _ = ResumeAsync(cursor.Stream, durable, settings.Start, settings.StartValue);
        }
    }

    /// <summary>A durable consumer's start: its stored floor if it has one, else the first CONSUME's start.</summary>
    private async Task ResumeAsync(BrokerStream stream, DurableConsumer durable, StreamStartKind start, ulong value)
    {
        ulong? floor = null;
        ulong? at = null;
        Exception? error = null;
        try
        {
            floor = await stream.Store.Consumers.GetAsync(durable.Name).ConfigureAwait(false);
            if (floor is null && start == StreamStartKind.Time)
            {
                at = await stream.Store.FindSequenceAsync(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(value, 253402300799999UL))).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        post(new BrokerAction(now =>
        {
            durable.Position.Reading = false;
            if (durable.Members.Count == 0 || stream.Deleted)
            {
                return;
            }

            if (error is not null)
            {
                foreach (BrokerSubscription member in durable.Members.ToArray())
                {
                    EndConsumer(member, ErrorCode.StoreFailed, $"the position of durable consumer {durable.Name} could not be read: {error.Message}", now);
                }

                return;
            }

            durable.Position.Next = floor is { } f ? f + 1 : start switch
            {
                StreamStartKind.First => stream.Store.State.FirstSequence,
                StreamStartKind.Sequence => Math.Max(1, value),
                StreamStartKind.Time => at ?? stream.Committed + 1,
                _ => stream.Committed + 1,
            };
            // A new one's start is written at once: a restart before its first acknowledgement must not move it.
            durable.Floor = durable.Position.Next - 1;
            durable.Saved = floor ?? 0;
            durable.Known = true;
            foreach (BrokerSubscription member in durable.Members.ToArray())
            {
                if (!member.Cursor!.Started)
                {
                    Begin(member, now);
                }
            }

            Save(stream, durable);
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

        // Any member may acknowledge what any member got: the floor is the consumer's, not a member's.
        if (durable.Outstanding.Remove(sequence, out Unacknowledged? done))
        {
            if (done.Holder is { } holder)
            {
                Release(holder);
            }

            Advance(subscription);
            Pump(subscription, now);
        }
    }

    /// <summary>Remembers a durable delivery until it is acknowledged; the MSG carries its delivery count.</summary>
    private static void Track(DurableConsumer durable, BrokerSubscription holder, ulong sequence, long timestamp, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now) =>
        durable.Outstanding[sequence] = new Unacknowledged(timestamp, subjectUtf8.ToArray(), headers.ToArray(), payload.ToArray()) { Deadline = now + durable.AckWaitMs, Holder = holder };

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
        catch (Exception ex)
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {Stream}: the position of durable consumer {Consumer} could not be written; it is tried again at its next acknowledgement")]
    private partial void LogPositionFailed(string stream, string consumer, Exception exception);
}
