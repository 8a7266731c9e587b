namespace Mq.Broker.Events;

/// <summary>
/// Deliveries one subscription lost (its peer's queue was full, or it was cut off as a slow consumer), in all and
/// since it was last announced (<c>$SYS.event.slow_consumer</c>, at most once per <see cref="EventIntervalMs"/>)
/// and last logged (at most once per <see cref="LogIntervalMs"/>): however fast a subscriber drops, its events
/// and log lines stay few, and each carries the count of what it stands for. Broker thread only.
/// </summary>
internal sealed class SubscriptionDrops
{
    public const long EventIntervalMs = 1000;
    public const long LogIntervalMs = 60_000;

    private readonly Coalesced _events = new(EventIntervalMs);
    private readonly Coalesced _log = new(LogIntervalMs);

    public long Total { get; private set; }

    /// <summary>When the last delivery was lost: how recent its slow-consumer state is.</summary>
    public long LastAt { get; private set; }

    /// <summary>Lost since the last event about it.</summary>
    public long Unannounced => _events.Pending;

    /// <summary>Lost since the last log line about it.</summary>
    public long Unlogged => _log.Pending;

    /// <summary>True once a log line has been written about it.</summary>
    public bool Logged => _log.Taken;

    /// <summary>Why it was cut off as a slow consumer (it is gone then), or null while it lasts.</summary>
    public string? CutOffReason { get; private set; }

    public void Add(long count, long now)
    {
        Total += count;
        _events.Pending += count;
        _log.Pending += count;
        LastAt = now;
    }

    /// <summary>The subscription was cut off, losing <paramref name="count"/> deliveries that waited for it.</summary>
    public void CutOff(string reason, long count, long now)
    {
        Add(count, now);
        CutOffReason = reason;
    }

    /// <summary>
    /// True, with the count since the last event, when an event is due: the first at once, then one per interval,
    /// and the one saying it was cut off at once (even with nothing lost), since no other follows it.
    /// </summary>
    public bool TryAnnounce(long now, out long count) => _events.TryTake(now, CutOffReason is not null, out count);

    /// <summary>True, with the count since the last line, when a log line is due (the first at once, then one per interval).</summary>
    public bool TryLog(long now, out long count) => _log.TryTake(now, false, out count);

    private sealed class Coalesced(long intervalMs)
    {
        private long _takenAt;
        private bool _final;

        public long Pending { get; set; }

        public bool Taken { get; private set; }

        /// <summary>Takes what is pending if the interval has passed; a <paramref name="final"/> take happens once, at once.</summary>
        public bool TryTake(long now, bool final, out long count)
        {
            count = Pending;
            bool due = final ? !_final : count > 0 && (!Taken || now - _takenAt >= intervalMs);
            if (!due)
            {
                return false;
            }

            _final = final;
            Taken = true;
            _takenAt = now;
            Pending = 0;
            return true;
        }
    }
}
