namespace Mq.Client;

/// <summary>Per-service settings.</summary>
public sealed record ServeOptions
{
    public static readonly ServeOptions Default = new();

    /// <summary>Requests handled at once by this peer for this service.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Requests queued beyond those being handled; past this, requests are answered "overloaded" at once.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>
    /// Send a failing handler's stack trace to the requester (reply header <c>mq-error-stack</c>). Off by default:
    /// a stack trace tells a caller about the server's code, so turn it on only between trusted parties.
    /// </summary>
    public bool IncludeExceptionDetails { get; init; }
}
