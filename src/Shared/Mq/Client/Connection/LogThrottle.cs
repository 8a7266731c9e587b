namespace Mq.Client.Connection;

/// <summary>
/// Lets one line through per <see cref="Every"/> for a repeating problem (a stream of unreadable payloads, say),
/// so a burst is a line and a count, not a line per message. Called from many threads.
/// </summary>
internal sealed class LogThrottle
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private long _nextAt = long.MinValue;

    /// <summary>True for the first occurrence and then at most once per <see cref="Every"/>.</summary>
    public bool Allow()
    {
        long now = Environment.TickCount64;
        long next = Interlocked.Read(ref _nextAt);
        return now >= next && Interlocked.CompareExchange(ref _nextAt, now + (long)Every.TotalMilliseconds, next) == next;
    }
}
