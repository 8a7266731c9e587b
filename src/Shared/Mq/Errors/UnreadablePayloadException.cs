using Mq.Protocol;

namespace Mq.Errors;

/// <summary>
/// A payload could not be deserialized as the type asked for (a JSON object sent to a contract with integer keys,
/// say); the message names the type and says why. A service handler's request that fails so is answered with a
/// <see cref="RemoteErrorException"/> carrying this message.
/// </summary>
public sealed class UnreadablePayloadException : MqException
{
    public UnreadablePayloadException(string message) : base(ErrorCode.Malformed, message) { }

    public UnreadablePayloadException() : base(ErrorCode.Malformed, "the payload could not be read") { }

    public UnreadablePayloadException(string message, Exception innerException) : base(ErrorCode.Malformed, message, innerException) { }
}
