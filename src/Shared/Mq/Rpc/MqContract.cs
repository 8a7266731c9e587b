using System.ComponentModel;

namespace Mq.Rpc;

/// <summary>
/// A contract as Mq's source generator registers it (<see cref="MqContracts.Register"/>): its name, timeout, content type, proxy
/// factory and methods. For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqContract<TContract>
    where TContract : class
{
    private readonly MqMethodHandler<TContract>[] _methods;

    public MqContract(string name, int timeoutMilliseconds, string? contentType, Func<MqRpcChannel, TContract> createProxy, params MqMethodHandler<TContract>[] methods)
    {
        Name = name;
        Timeout = timeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(timeoutMilliseconds) : null;
        ContentType = contentType;
        CreateProxy = createProxy;
        _methods = methods;
    }

    public string Name { get; }

    /// <summary><see cref="MqContractAttribute.TimeoutMilliseconds"/>; null when the contract sets none.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary><see cref="MqContractAttribute.ContentType"/>; null when the contract sets none.</summary>
    public string? ContentType { get; }

    public Func<MqRpcChannel, TContract> CreateProxy { get; }

    public IReadOnlyList<MqMethodHandler<TContract>> Methods => _methods;
}
