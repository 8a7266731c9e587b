using Mq.Broker.Sessions;

namespace Mq.Broker.Server;

/// <summary>Where the routing core's frames go: the ROUTER socket in production, a list in unit tests.</summary>
internal interface IFrameSink
{
    SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame);
}
