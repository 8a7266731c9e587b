using Mq.Protocol;

namespace Mq.Errors;

/// <summary>No reply came before the request's deadline.</summary>
public sealed class MqTimeoutException : MqException
{
    public MqTimeoutException(string message) : base(ErrorCode.Timeout, message) { }

    public MqTimeoutException() : base(ErrorCode.Timeout, "Timeout") { }

    public MqTimeoutException(string message, Exception innerException) : base(ErrorCode.Timeout, message, innerException) { }
}
