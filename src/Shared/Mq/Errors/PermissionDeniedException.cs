using Mq.Protocol;

namespace Mq.Errors;

/// <summary>The broker refused an operation this peer is not allowed to perform.</summary>
public sealed class PermissionDeniedException : MqException
{
    public PermissionDeniedException(string message) : base(ErrorCode.PermissionDenied, message) { }

    public PermissionDeniedException() : base(ErrorCode.PermissionDenied, "PermissionDenied") { }

    public PermissionDeniedException(string message, Exception innerException) : base(ErrorCode.PermissionDenied, message, innerException) { }
}
