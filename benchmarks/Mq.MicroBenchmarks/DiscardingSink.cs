using Mq.Broker.Server;
using Mq.Broker.Sessions;

namespace Mq.MicroBenchmarks;

/// <summary>Accepts every frame and keeps nothing, so a benchmark measures the engine alone, not a socket or a copy.</summary>
internal sealed class DiscardingSink : IFrameSink
{
    public long Frames { get; private set; }

    public long Bytes { get; private set; }

    public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame)
    {
        Frames++;
        Bytes += frame.Length;
        return SendOutcome.Sent;
    }

    public long Queued(PeerSession session) => 0;

    public void Established(PeerSession session)
    {
    }

    public void Close(PeerSession session)
    {
    }
}
