namespace Mq.Rpc;

/// <summary>
/// Marks an interface as an Mq contract: Mq's source generator gives it a proxy (<c>MqClient.CreateProxy</c>) and
/// a dispatcher (<c>MqClient.ServeObjectAsync</c>). Each method is the service <c>&lt;name&gt;.&lt;Method&gt;</c>,
/// the method's name without an <c>Async</c> suffix: <c>[MqContract("inventory")]</c> makes
/// <c>CountAsync</c> the service <c>inventory.Count</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class MqContractAttribute(string name) : Attribute
{
    /// <summary>The first tokens of every method's service name (a valid service name itself, e.g. <c>shop.inventory</c>).</summary>
    public string Name { get; } = name;

    /// <summary>
    /// How long a call of this contract waits for its reply, in milliseconds; 0 (the default) uses the proxy's
    /// <see cref="ProxyOptions.Timeout"/>, else the client's <c>RequestTimeout</c>.
    /// </summary>
    public int TimeoutMilliseconds { get; set; }

    /// <summary>
    /// The content type proxies call this contract in (<c>application/json</c>, <c>application/xml</c>; null, the
    /// default, uses the client's serializer); a proxy's <see cref="ProxyOptions.Serializer"/> overrides it. Servers
    /// answer each call in the content type it came in, whatever this says.
    /// </summary>
    public string? ContentType { get; set; }
}
