namespace Mq.Broker.Sessions;

internal enum PeerState
{
    /// <summary>The connection has sent something, but no accepted HELLO yet.</summary>
    Handshaking,
    /// <summary>HELLO accepted and CHALLENGE sent (security on): waiting for the peer's AUTH.</summary>
    Authenticating,
    Ready,
    Closed,
}
