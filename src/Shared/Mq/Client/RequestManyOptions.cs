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
}
