using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// Appends commands to each peer's pending batch and flushes batches as frames: when a batch reaches
/// <see cref="ProtocolLimits.BatchBytes"/>, and for every peer at the end of each poll cycle.
/// </summary>
internal sealed partial class PeerWriter(IFrameSink sink, BrokerCounters counters, int maxBacklogBytes, long maxFrameBytes, ILogger logger)
{
    private const int LogLinesPerSecond = 20;
    private readonly List<PeerSession> _dirty = [];
    private readonly RateLimit _logLimit = new(LogLinesPerSecond);
    private int _commandStart;

    /// <summary>The command being processed, named in every ERROR it causes; 0 outside a command.</summary>
    public CommandCode Command { get; set; }

    /// <summary>Starts one command for <paramref name="session"/>; every Begin is closed by its End before the next Begin.</summary>
    public MessagePackWriter Begin(PeerSession session)
    {
        MarkDirty(session);
        _commandStart = session.Output.WrittenCount;
        return new MessagePackWriter(session.Output);
    }

    /// <summary>Includes the peer in the next flush, e.g. to retry its backlog.</summary>
    public void MarkDirty(PeerSession session)
    {
        if (!session.Dirty)
        {
            session.Dirty = true;
            _dirty.Add(session);
        }
    }

    public void End(PeerSession session, ref MessagePackWriter writer, long now)
    {
        writer.Flush();
        int written = session.Output.WrittenCount;
        if (written > maxFrameBytes && _commandStart > 0)
        {
            // A large command on top of a batch would make a frame bigger than peers accept: the batch goes first.
            byte[] batch = session.Output.WrittenSpan.ToArray();
            session.Output.ResetWrittenCount();
            session.Output.Write(batch.AsSpan(0, _commandStart));
            Flush(session, now);
            session.Output.Write(batch.AsSpan(_commandStart));
            Flush(session, now);
        }
        else if (written >= ProtocolLimits.BatchBytes)
        {
            Flush(session, now);
        }
    }

    /// <summary>Appends a command encoded earlier (a delivery that waited for flow-control credit).</summary>
    public void WriteRaw(PeerSession session, ReadOnlySpan<byte> command, long now)
    {
        MessagePackWriter w = Begin(session);
        w.WriteRaw(command);
        End(session, ref w, now);
    }

    public void Ok(PeerSession session, ulong reference, long now)
    {
        MessagePackWriter w = Begin(session);
        CommandWriter.WriteOk(ref w, reference);
        End(session, ref w, now);
    }

    /// <summary>Refuses a command: answers ERROR, counts it, and logs it (at most <see cref="LogLinesPerSecond"/> lines a second).</summary>
    public void Refuse(PeerSession session, ulong reference, ErrorCode code, string message, long now)
    {
        session.ProtocolErrors++;
        CountRefusal(session, code, message, now);
        if (session.IsClosed)
        {
            return;
        }

        MessagePackWriter w = Begin(session);
        CommandWriter.WriteError(ref w, reference, code, message, Command);
        End(session, ref w, now);
    }

    /// <summary>Counts and logs a refusal; the log is limited to <see cref="LogLinesPerSecond"/> lines a second, with a summary of the rest.</summary>
    public void CountRefusal(object peer, ErrorCode code, string message, long now)
    {
        counters.Refused++;
        if (MayLog(now))
        {
            LogRefused(peer, code, message);
        }
    }

    /// <summary>Logs a subscription cut off as a slow consumer, within the same rate limit as refusals.</summary>
    public void ReportSlowConsumer(PeerSession peer, ulong sid, long dropped, string reason, long now)
    {
        if (MayLog(now))
        {
            LogSlowConsumer(peer, sid, dropped, reason);
        }
    }

    public void FlushAll(long now)
    {
        // Flush may not add to the list, so a plain loop over it is safe.
        foreach (PeerSession session in _dirty)
        {
            Flush(session, now);
            session.Dirty = false;
        }

        _dirty.Clear();
    }

    /// <summary>Sends what is pending for one peer at once (the last plaintext frame before its channel is up); false if its queue refused it.</summary>
    public bool FlushNow(PeerSession session, long now)
    {
        Flush(session, now);
        return session.Backlog.WrittenCount == 0;
    }

    /// <summary>Drops whatever is pending for a peer that is going away.</summary>
    public static void Discard(PeerSession session)
    {
        session.Output.ResetWrittenCount();
        session.Backlog.ResetWrittenCount();
        session.DroppedBySid.Clear();
    }

    /// <summary>Peers whose backlog was sent in full during the last flushes: deliveries held for them may resume.</summary>
    public List<PeerSession> Drained { get; } = [];

    /// <summary>Peers whose backlog overflowed during the last flushes; the engine disconnects them.</summary>
    public List<PeerSession> Overflowed { get; } = [];

    /// <summary>Subscriptions that lost deliveries not yet announced or logged (<see cref="Events.BrokerEvents.Report"/>).</summary>
    public HashSet<Routing.BrokerSubscription> Dropping { get; } = [];

    /// <summary>
    /// Counts deliveries <paramref name="subscription"/> lost, for its peer, for <c>$SYS.peers</c>/<c>$SYS.subs</c>,
    /// and for the slow-consumer events and log lines to come; <paramref name="cutOff"/> says why it was cut off, if it was.
    /// </summary>
    public void CountDrops(Routing.BrokerSubscription subscription, long count, long now, string? cutOff = null)
    {
        Events.SubscriptionDrops drops = subscription.Drops ??= new Events.SubscriptionDrops();
        if (cutOff is null)
        {
            drops.Add(count, now);
        }
        else
        {
            drops.CutOff(cutOff, count, now);
        }

        subscription.Session.DroppedMessages += count;
        subscription.Session.LastDropAt = now;
        Dropping.Add(subscription);
    }

    /// <summary>
    /// Sends the backlog, then what was written since. When the peer's queue is full, MSGs are dropped and
    /// counted per subscription (the peer is sent DROPPED once there is room), and every other command, and
    /// MSGs of flow-controlled subscriptions, are kept in the backlog, in order, to go first next time.
    /// </summary>
    private void Flush(PeerSession session, long now)
    {
        if (session.IsClosed)
        {
            Discard(session);
            return;
        }

        if (session.Backlog.WrittenCount > 0)
        {
            if (!SendBacklog(session))
            {
                Salvage(session, session.Output.WrittenSpan, now);
                session.Output.ResetWrittenCount();
                return;
            }

            session.LastSent = now;
            Drained.Add(session);
        }

        if (session.DroppedBySid.Count > 0)
        {
            WriteAdvisories(session);
        }

        if (session.Output.WrittenCount == 0)
        {
            return;
        }

        SendOutcome outcome = sink.Send(session, session.Output.WrittenSpan);
        if (outcome == SendOutcome.QueueFull)
        {
            Salvage(session, session.Output.WrittenSpan, now);
        }

        session.Output.ResetWrittenCount();
        session.LastSent = now;
    }

    /// <summary>True if a line a peer can cause may be logged now: the limit refusals and slow-consumer lines share.</summary>
    public bool MayLog(long now) => _logLimit.TryLog(now, logger, LogSuppressed);

    /// <summary>
    /// Sends the backlog in frames no larger than peers accept, cut between commands; whatever the queue refuses
    /// stays, in order. True when all of it went.
    /// </summary>
    private bool SendBacklog(PeerSession session)
    {
        ReadOnlyMemory<byte> rest = session.Backlog.WrittenMemory;
        while (!rest.IsEmpty)
        {
            int length = FrameLength(rest);
            if (sink.Send(session, rest.Span[..length]) != SendOutcome.Sent)
            {
                byte[] unsent = rest.ToArray();
                session.Backlog.ResetWrittenCount();
                session.Backlog.Write(unsent);
                return false;
            }

            rest = rest[length..];
        }

        session.Backlog.ResetWrittenCount();
        return true;
    }

    /// <summary>How many bytes of the commands at the start of <paramref name="commands"/> fit in one frame (one command at least).</summary>
    private int FrameLength(ReadOnlyMemory<byte> commands)
    {
        var reader = new CommandReader(commands);
        int length = 0;
        while (!reader.End)
        {
            reader.ReadCommand();
            reader.SkipCommand();
            if (reader.Position > maxFrameBytes && length > 0)
            {
                break;
            }

            length = reader.Position;
        }

        return length;
    }

    private void Salvage(PeerSession session, ReadOnlySpan<byte> frame, long now)
    {
        if (frame.IsEmpty)
        {
            return;
        }

        counters.DroppedFrames++;
        session.DroppedFrames++;
        byte[] copy = frame.ToArray();
        var reader = new CommandReader(copy);
        while (!reader.End)
        {
            int start = reader.Position;
            if (reader.ReadCommand() == CommandCode.Msg)
            {
                ulong sid = reader.ReadUInt();
                ulong sequence = reader.ReadUInt();
                reader.SkipCommand();
                session.Subscriptions.TryGetValue(sid, out Routing.BrokerSubscription? subscription);
                if (subscription?.Flow is not null)
                {
                    // Flow-controlled deliveries are never dropped; the window bounds how many can be here.
                    session.Backlog.Write(copy.AsSpan(start, reader.Position - start));
                    continue;
                }

                (ulong count, _) = session.DroppedBySid.GetValueOrDefault(sid);
                session.DroppedBySid[sid] = (count + 1, sequence);
                counters.DroppedMessages++;
                if (subscription is not null)
                {
                    CountDrops(subscription, 1, now);
                }

                continue;
            }

            reader.SkipCommand();
            session.Backlog.Write(copy.AsSpan(start, reader.Position - start));
        }

        if (session.Backlog.WrittenCount > maxBacklogBytes && !session.Overflowed)
        {
            session.Overflowed = true;
            counters.PeersOverflowed++;
            Overflowed.Add(session);
        }
    }

    private static void WriteAdvisories(PeerSession session)
    {
        var w = new MessagePackWriter(session.Output);
        foreach ((ulong sid, (ulong count, ulong lastSequence)) in session.DroppedBySid)
        {
            CommandWriter.WriteDropped(ref w, sid, count, lastSequence);
        }

        w.Flush();
        session.DroppedBySid.Clear();
    }

    // Debug: the peer is told (ERROR or REPLY) and the refusal is counted and, for permissions, published as an
    // event; an operator's log at Information should not fill with what one misbehaving peer keeps trying.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a command from {Peer}: {Code}: {Reason}")]
    private partial void LogRefused(object peer, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cut off subscription {Sid} of {Peer} as a slow consumer, dropping {Dropped} waiting messages: {Reason}")]
    private partial void LogSlowConsumer(PeerSession peer, ulong sid, long dropped, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more refusals and slow-consumer lines in the last second were not logged")]
    private static partial void LogSuppressed(ILogger logger, long count);
}
