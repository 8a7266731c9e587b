namespace Mq.Broker.Server;

internal enum SendOutcome
{
    Sent,
    /// <summary>The peer's outbound queue is at its high-water mark.</summary>
    QueueFull,
    /// <summary>The peer's connection is gone.</summary>
    PeerGone,
}
