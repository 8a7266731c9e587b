using Mq.Protocol;

namespace Mq.Errors;

/// <summary>The serving peer's handler failed; the message is the handler's.</summary>
public sealed class RemoteErrorException : MqException
{
    public RemoteErrorException(string message) : base(ErrorCode.RemoteError, message) { }

    public RemoteErrorException() : base(ErrorCode.RemoteError, "RemoteError") { }

    public RemoteErrorException(string message, Exception innerException) : base(ErrorCode.RemoteError, message, innerException) { }
}
