using System.ComponentModel;

namespace Mq.Rpc;

/// <summary>
/// The object one call runs on, with what to dispose when the call is over (a DI scope, when hosted). For generated
/// dispatchers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct MqObjectLease<TContract>
    where TContract : class
{
    private readonly IAsyncDisposable? _scope;

    internal MqObjectLease(TContract target, IAsyncDisposable? scope)
    {
        Target = target;
        _scope = scope;
    }

    public TContract Target { get; }

    public ValueTask DisposeAsync() => _scope?.DisposeAsync() ?? default;
}
