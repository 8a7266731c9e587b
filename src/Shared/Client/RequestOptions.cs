namespace Mq.Client;

/// <summary>Per-request settings.</summary>
public sealed record RequestOptions
{
    public static readonly RequestOptions Default = new();

    /// <summary>How long to wait for the reply; null uses <see cref="MqClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
