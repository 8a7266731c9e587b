using Mq.Errors;

namespace Mq.Protocol;

/// <summary>Thrown while reading a frame that breaks the protocol. Carries the code the broker answers with.</summary>
public sealed class ProtocolException : MqException
{
    public ProtocolException(ErrorCode code, string message) : base(code, message) { }

    public ProtocolException() : this(ErrorCode.Malformed, "malformed frame") { }

    public ProtocolException(string message) : this(ErrorCode.Malformed, message) { }

    public ProtocolException(string message, Exception innerException) : base(ErrorCode.Malformed, message, innerException) { }
}
