namespace Mq.Broker.Sessions;

internal enum PeerState
{
    /// <summary>The connection has sent something, but no accepted HELLO yet.</summary>
    Handshaking,
    Ready,
    Closed,
}
