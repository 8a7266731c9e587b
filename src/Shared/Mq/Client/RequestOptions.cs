namespace Mq.Client;

/// <summary>Per-request settings.</summary>
public sealed record RequestOptions
{
    public static readonly RequestOptions Default = new();

    /// <summary>How long to wait for the reply; null uses <see cref="MqClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>What a typed request is written with; null uses <see cref="MqClientOptions.Serializer"/>. The reply is read by its own content type.</summary>
    public Serialization.IMqSerializer? Serializer { get; init; }

    /// <summary>
    /// The request is safe to run twice (idempotent): if the connection is down or drops while it is in
    /// flight, wait for the reconnect and send it again, within the same timeout, instead of failing with
    /// <see cref="Errors.NotConnectedException"/>. After such a reconnect, "no responders" is retried too until
    /// the servers are back or the timeout passes.
    /// </summary>
    public bool RetryOnDisconnect { get; init; }

    /// <summary>
    /// For <see cref="MqClient.RequestStreamAsync"/>: how many parts the server may send ahead of the caller's
    /// reading (the broker cuts it to its <c>MaxFlowWindow</c>). The server pauses when that many are unread.
    /// </summary>
    public int StreamWindow { get; init; } = 64;
}
