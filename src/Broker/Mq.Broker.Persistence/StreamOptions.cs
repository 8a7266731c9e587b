namespace Mq.Broker.Persistence;

/// <summary>A stream's storage settings; <see cref="Validate"/> runs when the stream is opened.</summary>
public sealed record StreamOptions
{
    /// <summary>The largest record one message may make (subject, headers, payload and framing).</summary>
    public const int MaxRecordBytes = 64 * 1024 * 1024;

    /// <summary>Also the stream's directory name: letters, digits, '-' and '_', at most 128 characters.</summary>
    public required string Name { get; init; }

    public StreamLimits Limits { get; init; } = StreamLimits.Unlimited;

    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Always;

    /// <summary>A segment file is closed and a new one started once it holds this many bytes.</summary>
    public int SegmentBytes { get; init; } = 16 * 1024 * 1024;

    public void Validate()
    {
        if (string.IsNullOrEmpty(Name) || Name.Length > 128 || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException(
                $"Stream name '{Name}' is not valid: use 1 to 128 letters, digits, '-' or '_' (it names a directory).", nameof(Name));
        ArgumentNullException.ThrowIfNull(Limits);
        ArgumentNullException.ThrowIfNull(Fsync);
        Limits.Validate();
        if (SegmentBytes is < 4096 or > 1024 * 1024 * 1024)
            throw new ArgumentException($"SegmentBytes is {SegmentBytes}: a segment is between 4 KiB and 1 GiB.", nameof(SegmentBytes));
    }
}
