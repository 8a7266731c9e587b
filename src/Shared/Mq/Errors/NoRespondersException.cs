using Mq.Protocol;

namespace Mq.Errors;

/// <summary>No peer serves the requested service; raised at once, without waiting for the timeout.</summary>
public sealed class NoRespondersException : MqException
{
    public NoRespondersException(string message) : base(ErrorCode.NoResponders, message) { }

    public NoRespondersException() : base(ErrorCode.NoResponders, "NoResponders") { }

    public NoRespondersException(string message, Exception innerException) : base(ErrorCode.NoResponders, message, innerException) { }
}
