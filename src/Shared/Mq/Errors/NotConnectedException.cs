using Mq.Protocol;

namespace Mq.Errors;

/// <summary>The peer has no live session with the broker (not yet connected, connection lost, or disposed).</summary>
public sealed class NotConnectedException : MqException
{
    public NotConnectedException(string message) : base(ErrorCode.HandshakeRequired, message) { }

    public NotConnectedException(ErrorCode code, string message) : base(code, message) { }

    public NotConnectedException() : base(ErrorCode.HandshakeRequired, "not connected to the broker") { }

    public NotConnectedException(string message, Exception innerException) : base(ErrorCode.HandshakeRequired, message, innerException) { }
}
