using Mq.Broker.Sessions;

namespace Mq.Broker.Server;

/// <summary>Where the routing core's frames go: the broker's ZMTP connections in production, a list in unit tests.</summary>
internal interface IFrameSink
{
    SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame);

    /// <summary>The session is Ready (WELCOME is queued): its connection no longer counts as a pending handshake.</summary>
    void Established(PeerSession session);

    /// <summary>Bytes the session's connection has queued and not yet written to its socket.</summary>
    long Queued(PeerSession session);

    /// <summary>Closes the session's connection once what is queued for it is sent; it then reports no frames.</summary>
    void Close(PeerSession session);
}
