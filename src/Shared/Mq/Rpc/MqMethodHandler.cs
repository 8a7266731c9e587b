using System.ComponentModel;
using Mq.Client;

namespace Mq.Rpc;

/// <summary>A generated dispatcher's entry for one method: the method and the function that serves one call of it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqMethodHandler<TContract>
    where TContract : class
{
    public MqMethodHandler(MqMethod method, Func<MqObjectHost<TContract>, MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handle)
    {
        Method = method;
        Handle = handle;
    }

    public MqMethod Method { get; }

    public Func<MqObjectHost<TContract>, MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> Handle { get; }
}
