namespace Mq.Client;

/// <summary>Per-service settings.</summary>
public sealed record ServeOptions
{
    public static readonly ServeOptions Default = new();

    /// <summary>Requests handled at once by this peer for this service.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Requests queued beyond those being handled; past this, requests are answered "overloaded" at once.</summary>
    public int QueueCapacity { get; init; } = 4096;
}
