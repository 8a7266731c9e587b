using Mq.Protocol;

namespace Mq.Errors;

/// <summary>The peer serving a request disconnected or died before it replied.</summary>
public sealed class ResponderLostException : MqException
{
    public ResponderLostException(string message) : base(ErrorCode.ResponderLost, message) { }

    public ResponderLostException() : base(ErrorCode.ResponderLost, "ResponderLost") { }

    public ResponderLostException(string message, Exception innerException) : base(ErrorCode.ResponderLost, message, innerException) { }
}
