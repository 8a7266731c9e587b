using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// A fault a contract method declares (<see cref="MqFaultAttribute"/>). Catch <see cref="MqFaultException{TDetail}"/>
/// for one detail type, or this for any.
/// </summary>
public abstract class MqFaultException : MqException
{
    private protected MqFaultException(string faultType, string message, Exception? innerException)
        : base(ErrorCode.RemoteError, message, innerException) => FaultType = faultType;

    /// <summary>The detail type's full name, as the fault travels (the <c>mq-fault-type</c> header).</summary>
    public string FaultType { get; }

    internal abstract ReadOnlyMemory<byte> SerializeDetail(IMqSerializer serializer);
}
