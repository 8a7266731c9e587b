using System.ComponentModel;

namespace Mq.Rpc;

/// <summary>
/// Writes a call's arguments, in parameter order, as one payload in the call's content type (a MessagePack or JSON
/// array, or an XML <c>arguments</c> element; see docs/rpc.md). For generated proxies.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class MqArgumentWriter
{
    private protected MqArgumentWriter()
    {
    }

    /// <summary>The next argument, written as its parameter's type.</summary>
    public abstract void Write<T>(T value);

    /// <summary>The arguments written, as the request's payload; call once, after the last <see cref="Write{T}"/>.</summary>
    public abstract ReadOnlyMemory<byte> Complete();
}
