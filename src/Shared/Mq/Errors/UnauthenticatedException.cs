using Mq.Protocol;

namespace Mq.Errors;

/// <summary>The broker requires an identity this client did not prove: none configured, unknown, or the wrong key.</summary>
public sealed class UnauthenticatedException : MqException
{
    public UnauthenticatedException(string message) : base(ErrorCode.Unauthenticated, message) { }

    public UnauthenticatedException() : base(ErrorCode.Unauthenticated, "Unauthenticated") { }

    public UnauthenticatedException(string message, Exception innerException) : base(ErrorCode.Unauthenticated, message, innerException) { }
}
