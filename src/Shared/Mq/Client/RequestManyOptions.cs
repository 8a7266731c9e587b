namespace Mq.Client;

/// <summary>Settings of one scatter-gather request (<see cref="MqClient.RequestManyAsync"/>).</summary>
public sealed record RequestManyOptions
{
    public static readonly RequestManyOptions Default = new();

    /// <summary>End after this many successful replies; null waits for every server.</summary>
    public int? MaxReplies { get; init; }

    /// <summary>How long to gather; null uses <see cref="MqClientOptions.RequestTimeout"/>. Passing it ends the enumeration without an exception.</summary>
    public TimeSpan? Timeout { get; init; }

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// Also yields each failed server's answer (a remote error, overloaded, lost before replying) as a reply with
    /// <see cref="MqReply.Failure"/> set, so the caller sees which servers failed and why. Failures never count
    /// towards <see cref="MaxReplies"/>.
    /// </summary>
    public bool IncludeFailures { get; init; }
}
