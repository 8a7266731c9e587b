namespace Mq.Broker.Server;

/// <summary>
/// Counters written only by the broker thread; other threads read them through <see cref="BrokerServer.GetStatsAsync"/>.
/// 64-bit reads are atomic on the platforms .NET 10 runs on, so a snapshot is never torn per counter.
/// </summary>
internal sealed class BrokerCounters
{
    public long FramesReceived;
    public long MessagesPublished;
    public long MessagesDelivered;
    public long RequestsRouted;
    public long RepliesRouted;
    public long Refused;
    public long DroppedFrames;
    public long DroppedMessages;
    public long PeersOverflowed;
    public long PeersTimedOut;
    public long HandshakesTimedOut;
    public long FlowWaits;
    public long PublisherStalls;
    public long SlowConsumers;
    public long ChannelFailures;
    public long EventsPublished;
    public long EventsSuppressed;
}
