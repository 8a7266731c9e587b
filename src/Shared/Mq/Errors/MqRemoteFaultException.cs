using Mq.Protocol;

namespace Mq.Errors;

/// <summary>
/// Thrown by a service handler to send a typed fault: the requester's <see cref="RemoteErrorException"/> carries
/// <see cref="FaultType"/> and <see cref="Detail"/> (the reply's payload) so it can be mapped back to a declared type.
/// </summary>
public sealed class MqRemoteFaultException : MqException
{
    public MqRemoteFaultException(string faultType, ReadOnlyMemory<byte> detail, string message) : base(ErrorCode.RemoteError, message)
    {
        ArgumentException.ThrowIfNullOrEmpty(faultType);
        FaultType = faultType;
        Detail = detail;
    }

    public MqRemoteFaultException() : this("fault", default, "remote fault") { }

    public MqRemoteFaultException(string message) : this("fault", default, message) { }

    public MqRemoteFaultException(string message, Exception innerException) : base(ErrorCode.RemoteError, message, innerException) => FaultType = "fault";

    public string FaultType { get; }

    public ReadOnlyMemory<byte> Detail { get; }
}
