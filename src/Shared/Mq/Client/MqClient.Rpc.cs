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
        return contract.CreateProxy(new MqRpcChannel(this, contract.Name, contract.Timeout, contract.ContentType, options ?? ProxyOptions.Default));
    }

    /// <summary>
    /// Scatter-gather on a contract: <paramref name="call"/> calls one method on the proxy it is given (for example
    /// <c>i =&gt; i.CountAsync("sku-1")</c>), and that call goes to every peer serving the method now, each answer
    /// yielded as it arrives, as <see cref="RequestManyAsync"/> does (<paramref name="options"/>: how many, how long,
    /// and whether failures are yielded; the timeout defaults to the contract's). The token given inside
    /// <paramref name="call"/> is not used: <paramref name="cancellationToken"/> cancels the whole call.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="call"/> did not call a method of the proxy.</exception>
    /// <exception cref="NotSupportedException">The method reports progress.</exception>
    public IAsyncEnumerable<MqGathered<TResult>> GatherAsync<TContract, TResult>(Func<TContract, ValueTask<TResult>> call, RequestManyOptions? options = null, CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(call);
        return Gather<TContract, TResult>(proxy => call(proxy).AsTask(), options, cancellationToken);
    }

    /// <summary>Scatter-gather on a contract method that returns a <see cref="Task{TResult}"/>; see the other overload.</summary>
    public IAsyncEnumerable<MqGathered<TResult>> GatherAsync<TContract, TResult>(Func<TContract, Task<TResult>> call, RequestManyOptions? options = null, CancellationToken cancellationToken = default)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(call);
        return Gather(call, options, cancellationToken);
    }

    private IAsyncEnumerable<MqGathered<TResult>> Gather<TContract, TResult>(Func<TContract, Task<TResult>> call, RequestManyOptions? options, CancellationToken cancellationToken)
        where TContract : class
    {
        EnsureUsable();
        MqContract<TContract> contract = MqContracts.Get<TContract>();
        var channel = new MqRpcChannel(this, contract.Name, contract.Timeout, contract.ContentType, ProxyOptions.Default, capturing: true);

        // A capturing proxy completes at once (with a placeholder) or fails at once: nothing was sent.
        Task<TResult> captured = call(contract.CreateProxy(channel));
        if (captured.IsFaulted)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(captured.Exception!.InnerException!);
        }

        if (!channel.HasCaptured)
        {
            throw new ArgumentException("the call must call one method of the contract on the proxy it is given", nameof(call));
        }

        return channel.GatherAsync<TResult>(options ?? RequestManyOptions.Default, cancellationToken);
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
