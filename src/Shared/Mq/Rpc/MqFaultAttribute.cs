namespace Mq.Rpc;

/// <summary>
/// Declares that a contract method may fail with <see cref="MqFaultException{TDetail}"/> of this detail type: the
/// server throws it, and the caller catches it typed, with the detail, instead of a <c>RemoteErrorException</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class MqFaultAttribute(Type detailType) : Attribute
{
    /// <summary>The fault's detail: a MessagePack-serializable type.</summary>
    public Type DetailType { get; } = detailType;
}
