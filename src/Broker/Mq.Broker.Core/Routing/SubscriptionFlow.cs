using Mq.Broker.Sessions;

namespace Mq.Broker.Routing;

/// <summary>
/// Flow control of one subscription: the subscriber allows at most <see cref="Window"/> deliveries it has not
/// acknowledged (ACK). Deliveries past that wait here, in order, instead of being dropped, and every publisher
/// that added to the wait is held back (no CREDIT) until the subscriber has caught up.
/// </summary>
internal sealed class SubscriptionFlow(uint window)
{
    public uint Window { get; } = window;

    /// <summary>Deliveries that may still be sent before the next ACK.</summary>
    public long Credit { get; set; } = window;

    /// <summary>Encoded MSG commands waiting for credit; their sequence numbers were assigned in order.</summary>
    public Queue<byte[]> Waiting { get; } = new();

    /// <summary>Bytes of the commands in <see cref="Waiting"/>: what the byte budgets measure.</summary>
    public long WaitingBytes { get; set; }

    /// <summary>Publishers held back by this subscription's wait.</summary>
    public HashSet<PeerSession> Stalled { get; } = [];

    /// <summary>When the first publisher now in <see cref="Stalled"/> was held back: what <c>MaxFlowStall</c> is measured from.</summary>
    public long HoldingSince { get; set; }

    /// <summary>Deliveries sent to the subscriber and not acknowledged yet.</summary>
    public long Unacknowledged => Math.Max(0, Window - Credit);

    /// <summary>The subscription's queue depth in messages: waiting here, or sent and not acknowledged.</summary>
    public long Queued => Waiting.Count + Unacknowledged;

    /// <summary>True if a delivery may go out now: credit left, nothing waiting ahead, and the peer's queue not backed up.</summary>
    public bool HasRoom(PeerSession subscriber) => Credit > 0 && Waiting.Count == 0 && subscriber.Backlog.WrittenCount == 0;

    /// <summary>Takes one delivery's worth of credit if <see cref="HasRoom"/>.</summary>
    public bool TryTake(PeerSession subscriber)
    {
        if (HasRoom(subscriber))
        {
            Credit--;
            return true;
        }

        return false;
    }
}
