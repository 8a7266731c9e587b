using Mq.Rpc;

namespace Mq.Client;

/// <summary>Remote objects: calling and serving <see cref="MqContractAttribute">[MqContract]</see> interfaces.</summary>
public sealed partial class MqClient
{
    /// <summary>
    /// A proxy for <typeparamref name="TContract"/>, an <see cref="MqContractAttribute">[MqContract]</see> interface:
    /// each call is a request to the method's service (<c>&lt;contract&gt;.&lt;Method&gt;</c>), answered by any peer
    /// serving it. Thread-safe; cheap enough to create one per setting.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TContract"/> is not an Mq contract.</exception>
    public TContract CreateProxy<TContract>(ProxyOptions? options = null)
        where TContract : class
    {
        EnsureUsable();
        MqContract<TContract> contract = MqContracts.Get<TContract>();
        return contract.CreateProxy(new MqRpcChannel(this, contract.Timeout, options ?? ProxyOptions.Default));
    }

    /// <summary>
    /// Serves <paramref name="implementation"/> as <typeparamref name="TContract"/>: every method becomes a service
    /// (<paramref name="options"/> apply to each), balanced across every peer serving the contract. Dispose the result to stop.
    /// </summary>
    public ValueTask<MqObjectService> ServeObjectAsync<TContract>(TContract implementation, ServeOptions? options = null, CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(implementation);
        return ObjectServing.ServeAsync(this, () => new MqObjectLease<TContract>(implementation, null), options, cancellationToken);
    }

    /// <summary>Serves an object leased per call (hosting: a DI scope per call).</summary>
    internal ValueTask<MqObjectService> ServeObjectAsync<TContract>(Func<MqObjectLease<TContract>> rent, ServeOptions? options, CancellationToken cancellationToken)
        where TContract : class => ObjectServing.ServeAsync(this, rent, options, cancellationToken);
}
