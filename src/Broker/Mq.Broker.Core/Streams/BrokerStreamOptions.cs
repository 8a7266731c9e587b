using Mq.Broker.Persistence;
using Mq.Subjects;

namespace Mq.Broker.Streams;

/// <summary>
/// One durable stream, bound from <c>Broker:Streams:&lt;name&gt;</c> (or sent to <c>$SYS.stream.create</c>): what it
/// captures, how much it keeps and how it reaches the disk. Validated at start with <see cref="Problems"/>.
/// </summary>
public sealed record BrokerStreamOptions
{
    /// <summary>The most messages per subject a stream keeping last values may keep (its index holds them in memory).</summary>
    public const int MaxPerSubjectLimit = 1000;

    /// <summary>Subject patterns it captures (wildcards allowed); no two streams may capture the same subject.</summary>
    public string[] Subjects { get; init; } = [];

    public long? MaxMessages { get; init; }

    public long? MaxBytes { get; init; }

    public TimeSpan? MaxAge { get; init; }

    /// <summary>At a message or byte limit: drop the oldest (Old) or refuse the new message (New).</summary>
    public DiscardPolicy Discard { get; init; } = DiscardPolicy.Old;

    public StreamStorage Storage { get; init; } = StreamStorage.File;

    /// <summary>Null: fsync before each acknowledgement (group-committed). A number: fsync at most this many ms after it.</summary>
    public int? FsyncEveryMs { get; init; }

    /// <summary>How long a message id (header <c>mq-msg-id</c>) is remembered: a repeat within it is not stored again.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Keep only the newest this many messages per subject (1: last values); older ones of a subject are skipped by
    /// every reader. Null: keep every message (within the limits).
    /// </summary>
    public int? MaxPerSubject { get; init; }

    /// <summary>What is wrong with the stream <paramref name="name"/>'s settings, one line each, naming the key.</summary>
    public IEnumerable<string> Problems(string name)
    {
        string key = $"Broker:Streams:{name}";
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            yield return $"{key}: a stream name is 1 to 128 letters, digits, '-' or '_'";
        }

        if (Subjects is not { Length: > 0 })
        {
            yield return $"{key}:Subjects is empty: list the subject patterns the stream captures ({key}:Subjects:0 = orders.>)";
        }
        else
        {
            foreach (string subject in Subjects)
            {
                if (Subject.Validate(subject ?? "", SubjectKind.Pattern) is { } error)
                {
                    yield return $"{key}:Subjects '{subject}': {error}";
                }
                else if (subject!.StartsWith("$SYS.", StringComparison.Ordinal))
                {
                    yield return $"{key}:Subjects '{subject}': subjects under $SYS. are the broker's and cannot be captured";
                }
            }
        }

        if (MaxMessages is <= 0)
        {
            yield return $"{key}:MaxMessages is {MaxMessages}: a limit is at least 1 (leave it out for none)";
        }

        if (MaxBytes is <= 0)
        {
            yield return $"{key}:MaxBytes is {MaxBytes}: a limit is at least 1 (leave it out for none)";
        }

        if (MaxAge is { } age && age <= TimeSpan.Zero)
        {
            yield return $"{key}:MaxAge is {age}: an age limit is positive (leave it out for none)";
        }

        if (!Enum.IsDefined(Discard))
        {
            yield return $"{key}:Discard is {(int)Discard}: it is Old or New";
        }

        if (!Enum.IsDefined(Storage))
        {
            yield return $"{key}:Storage is {(int)Storage}: it is File or Memory";
        }

        if (FsyncEveryMs is < 1 or > 60_000)
        {
            yield return $"{key}:FsyncEveryMs is {FsyncEveryMs}: between 1 and 60000 ms (leave it out to fsync before each acknowledgement)";
        }

        if (MaxPerSubject is < 1 or > MaxPerSubjectLimit)
        {
            yield return $"{key}:MaxPerSubject is {MaxPerSubject}: between 1 (last values) and {MaxPerSubjectLimit} (leave it out to keep every message)";
        }

        if (DuplicateWindow < TimeSpan.Zero || DuplicateWindow > TimeSpan.FromDays(1))
        {
            yield return $"{key}:DuplicateWindow is {DuplicateWindow}: between 00:00:00 (no duplicate detection) and 1.00:00:00";
        }
    }

    /// <summary>The storage settings of the stream <paramref name="name"/>.</summary>
    public StreamOptions ToStore(string name) => new()
    {
        Name = name,
        Limits = new StreamLimits { MaxMessages = MaxMessages, MaxBytes = MaxBytes, MaxAge = MaxAge, Discard = Discard },
        Fsync = FsyncEveryMs is { } ms ? FsyncPolicy.EveryMs(ms) : FsyncPolicy.Always,
    };
}
