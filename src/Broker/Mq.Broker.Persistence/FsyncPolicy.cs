namespace Mq.Broker.Persistence;

/// <summary>
/// When appended messages reach the disk. <see cref="Always"/> acknowledges an append only after fsync, so an
/// acknowledged message survives a power loss. <see cref="EveryMs"/> acknowledges once the OS has the bytes and fsyncs
/// at most that many milliseconds later: a process crash loses nothing acknowledged, an OS crash or power loss can
/// lose the acknowledged messages of the last interval.
/// </summary>
public sealed record FsyncPolicy
{
    private FsyncPolicy(TimeSpan? interval) => Interval = interval;

    /// <summary>fsync before every acknowledgement; concurrent appends share one fsync (group commit).</summary>
    public static FsyncPolicy Always { get; } = new((TimeSpan?)null);

    /// <summary>The longest time acknowledged bytes wait for fsync; null for <see cref="Always"/>.</summary>
    public TimeSpan? Interval { get; }

    public static FsyncPolicy EveryMs(int milliseconds) =>
        milliseconds is >= 1 and <= 60_000
            ? new FsyncPolicy(TimeSpan.FromMilliseconds(milliseconds))
            : throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds,
                "An fsync interval is between 1 and 60000 ms; use FsyncPolicy.Always to fsync before each acknowledgement.");

    public override string ToString() => Interval is { } interval ? $"every {interval.TotalMilliseconds:0} ms" : "always";
}
