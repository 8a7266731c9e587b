namespace Mq.Broker.Persistence;

/// <summary>
/// How much a stream keeps. Null means no limit. Messages older than <see cref="MaxAge"/> are always dropped;
/// <see cref="Discard"/> decides what happens at <see cref="MaxMessages"/> or <see cref="MaxBytes"/>.
/// Bytes count what is stored: each record's subject, headers, payload and its 32 bytes of framing.
/// </summary>
public sealed record StreamLimits
{
    public static StreamLimits Unlimited { get; } = new();

    public long? MaxMessages { get; init; }

    public long? MaxBytes { get; init; }

    public TimeSpan? MaxAge { get; init; }

    public DiscardPolicy Discard { get; init; } = DiscardPolicy.Old;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit that makes no sense.</summary>
    public void Validate()
    {
        if (MaxMessages is <= 0)
            throw new ArgumentException($"MaxMessages is {MaxMessages}: a limit must be at least 1 (null for none).", nameof(MaxMessages));
        if (MaxBytes is <= 0)
            throw new ArgumentException($"MaxBytes is {MaxBytes}: a limit must be at least 1 (null for none).", nameof(MaxBytes));
        if (MaxAge is { } age && age <= TimeSpan.Zero)
            throw new ArgumentException($"MaxAge is {age}: an age limit must be positive (null for none).", nameof(MaxAge));
        if (!Enum.IsDefined(Discard))
            throw new ArgumentException($"Discard is {(int)Discard}: it is Old or New.", nameof(Discard));
    }
}
