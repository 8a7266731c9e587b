using Mq.Protocol;

namespace Mq.Errors;

/// <summary>Base of every error Mq raises; <see cref="Code"/> is the protocol's error code.</summary>
public class MqException : Exception
{
    public MqException(ErrorCode code, string message) : base(message) => Code = code;

    public MqException(ErrorCode code, string message, Exception? innerException) : base(message, innerException) => Code = code;

    public MqException() : this(ErrorCode.None, "Mq error") { }

    public MqException(string message) : this(ErrorCode.None, message) { }

    public MqException(string message, Exception innerException) : this(ErrorCode.None, message, innerException) { }

    public ErrorCode Code { get; }

    /// <summary>The typed exception for an error the broker reported.</summary>
    public static MqException FromCode(ErrorCode code, string message) => code switch
    {
        ErrorCode.NoResponders => new NoRespondersException(message),
        ErrorCode.ResponderLost => new ResponderLostException(message),
        ErrorCode.Timeout => new MqTimeoutException(message),
        ErrorCode.RemoteError => new RemoteErrorException(message),
        ErrorCode.InvalidSubject => new InvalidSubjectException(message),
        ErrorCode.PermissionDenied => new PermissionDeniedException(message),
        ErrorCode.Unauthenticated => new UnauthenticatedException(message),
        ErrorCode.HandshakeRequired or ErrorCode.ShuttingDown or ErrorCode.EncryptionRequired => new NotConnectedException(code, message),
        _ => new MqException(code, message),
    };
}
