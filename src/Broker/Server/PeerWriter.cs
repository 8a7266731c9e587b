using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// Appends commands to each peer's pending batch and flushes batches as frames: when a batch reaches
/// <see cref="ProtocolLimits.BatchBytes"/>, and for every peer at the end of each poll cycle.
/// </summary>
internal sealed partial class PeerWriter(IFrameSink sink, BrokerCounters counters, ILogger logger)
{
    private const int LogLinesPerSecond = 20;
    private readonly List<PeerSession> _dirty = [];
    private long _logWindowStart;
    private int _logged;
    private long _suppressed;

    public MessagePackWriter Begin(PeerSession session)
    {
        if (!session.Dirty)
        {
            session.Dirty = true;
            _dirty.Add(session);
        }

        return new MessagePackWriter(session.Output);
    }

    public void End(PeerSession session, ref MessagePackWriter writer, long now)
    {
        writer.Flush();
        if (session.Output.WrittenCount >= ProtocolLimits.BatchBytes)
        {
            Flush(session, now);
        }
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
        CommandWriter.WriteError(ref w, reference, code, message);
        End(session, ref w, now);
    }

    /// <summary>Counts and logs a refusal; the log is limited to <see cref="LogLinesPerSecond"/> lines a second, with a summary of the rest.</summary>
    public void CountRefusal(object peer, ErrorCode code, string message, long now)
    {
        counters.Refused++;
        if (now - _logWindowStart >= 1000)
        {
            if (_suppressed > 0)
            {
                LogSuppressed(_suppressed);
            }

            _logWindowStart = now;
            _logged = 0;
            _suppressed = 0;
        }

        if (_logged++ < LogLinesPerSecond)
        {
            LogRefused(peer, code, message);
        }
        else
        {
            _suppressed++;
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

    /// <summary>Drops whatever is pending for a peer that is going away.</summary>
    public static void Discard(PeerSession session) => session.Output.ResetWrittenCount();

    private void Flush(PeerSession session, long now)
    {
        if (session.Output.WrittenCount == 0)
        {
            return;
        }

        SendOutcome outcome = session.IsClosed ? SendOutcome.PeerGone : sink.Send(session, session.Output.WrittenSpan);
        session.Output.ResetWrittenCount();
        session.LastSent = now;
        if (outcome == SendOutcome.QueueFull)
        {
            counters.DroppedFrames++;
            session.DroppedFrames++;
            if (session.DroppedFrames == 1 || session.DroppedFrames % 1000 == 0)
            {
                LogDropped(session, session.DroppedFrames);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a command from {Peer}: {Code}: {Reason}")]
    private partial void LogRefused(object peer, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more refusals in the last second were not logged")]
    private partial void LogSuppressed(long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} is not keeping up: {Dropped} frames dropped so far")]
    private partial void LogDropped(PeerSession peer, long dropped);
}
