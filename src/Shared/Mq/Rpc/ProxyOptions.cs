namespace Mq.Rpc;

/// <summary>Settings of one proxy (<c>MqClient.CreateProxy</c>); proxies are small, so a proxy per setting is cheap.</summary>
public sealed record ProxyOptions
{
    public static readonly ProxyOptions Default = new();

    /// <summary>
    /// How long each call waits for its reply; it overrides the contract's <see cref="MqContractAttribute.TimeoutMilliseconds"/>.
    /// Null uses the contract's, else the client's <c>RequestTimeout</c>. The server's cancellation token fires at the deadline too.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Headers sent with every call.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// What this proxy's calls are written in (<see cref="Serialization.MessagePackMqSerializer"/>,
    /// <see cref="Serialization.JsonMqSerializer"/> or <see cref="Serialization.XmlMqSerializer"/>); the server
    /// answers in the same. Null uses the contract's <see cref="MqContractAttribute.ContentType"/>, else the client's
    /// serializer when it is one of those three, else MessagePack.
    /// </summary>
    public Serialization.IMqSerializer? Serializer { get; init; }
}
