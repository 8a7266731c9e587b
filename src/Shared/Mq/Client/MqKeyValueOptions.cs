namespace Mq.Client;

/// <summary>
/// A key-value bucket to create (<see cref="MqClient.CreateKeyValueAsync"/>): its name, how many revisions it keeps per
/// key, how long a value lives, and where it is kept. Checked before anything is sent.
/// </summary>
public sealed record MqKeyValueOptions
{
    /// <summary>The most revisions a bucket keeps per key.</summary>
    public const int MaxHistory = 64;

    /// <summary>The bucket: 1 to 64 letters, digits, '-' or '_'.</summary>
    public required string Bucket { get; init; }

    /// <summary>Revisions kept per key, 1 (only the current value) to <see cref="MaxHistory"/>.</summary>
    public int History { get; init; } = 1;

    /// <summary>How long a revision lives after it was written (the stream's MaxAge); null: until replaced.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>The most bytes the bucket keeps (its oldest records go first); null: no limit.</summary>
    public long? MaxBytes { get; init; }

    public MqKeyValueStorage Storage { get; init; } = MqKeyValueStorage.File;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value that is not allowed.</summary>
    public void Validate()
    {
        if (MqKeyValue.BucketProblem(Bucket) is { } problem)
        {
            throw new ArgumentException(problem, nameof(Bucket));
        }

        if (History is < 1 or > MaxHistory)
        {
            throw new ArgumentOutOfRangeException(nameof(History), History, $"a bucket keeps 1 to {MaxHistory} revisions per key");
        }

        if (Ttl is { } ttl && ttl < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), ttl, "a TTL is at least 1 ms (null: none)");
        }

        if (MaxBytes is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "a byte limit is positive (null: none)");
        }
    }
}
