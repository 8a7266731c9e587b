using MessagePack;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Routing;

/// <summary>
/// What waits for flow-controlled subscriptions, and the bounds that keep flow control from being a weapon: a
/// subscription that holds publishers back longer than <c>MaxFlowStall</c>, or lets more wait than its byte
/// budgets, is cut off as a slow consumer.
/// </summary>
internal sealed partial class PubSubRouter
{
    private readonly long _maxStallMs = (long)options.MaxFlowStall.TotalMilliseconds;

    // Flow-controlled subscriptions that hold a publisher back (entries whose publishers all left go on the next
    // tick), and those with deliveries waiting: the candidates for a cut-off by time and by bytes.
    private readonly HashSet<BrokerSubscription> _holding = [];
    private readonly HashSet<BrokerSubscription> _waiting = [];
    private readonly List<BrokerSubscription> _cutOff = [];
    private long _waitBytes;

    /// <summary>
    /// Tick: cuts off every flow-controlled subscription that has held a publisher back for longer than
    /// <see cref="Server.BrokerOptions.MaxFlowStall"/>, so no subscriber can freeze its publishers (and through them
    /// everyone else they feed) for longer than that.
    /// </summary>
    public void CutOffStalled(long now)
    {
        foreach (BrokerSubscription subscription in _holding)
        {
            SubscriptionFlow flow = subscription.Flow!;
            if (flow.Stalled.Count == 0 || now - flow.HoldingSince > _maxStallMs)
            {
                _cutOff.Add(subscription);
            }
        }

        foreach (BrokerSubscription subscription in _cutOff)
        {
            if (subscription.Flow!.Stalled.Count == 0)
            {
                // Its publishers left: it holds nobody back any more.
                _holding.Remove(subscription);
            }
            else
            {
                CutOff(subscription, $"it held its publishers back for more than MaxFlowStall ({_maxStallMs} ms)", now);
            }
        }

        _cutOff.Clear();
    }

    /// <summary>
    /// Ends a flow-controlled subscription as a slow consumer: what waited for it is dropped and reported
    /// (DROPPED), the subscription is removed and its peer told (REVOKED, LimitExceeded), its publishers go on.
    /// </summary>
    private void CutOff(BrokerSubscription subscription, string reason, long now)
    {
        PeerSession peer = subscription.Session;
        int dropped = subscription.Flow!.Waiting.Count;
        peer.Subscriptions.Remove(subscription.Sid);
        Remove(subscription, now);
        counters.SlowConsumers++;
        counters.DroppedMessages += dropped;
        writer.CountDrops(subscription, dropped, now, reason);
        writer.ReportSlowConsumer(peer, subscription.Sid, dropped, reason, now);

        MessagePackWriter w = writer.Begin(peer);
        if (dropped > 0)
        {
            // Waiting deliveries had their sequence numbers already, the last of them the subscription's last.
            CommandWriter.WriteDropped(ref w, subscription.Sid, (ulong)dropped, subscription.Sequence);
        }

        CommandWriter.WriteRevoked(ref w, subscription.Sid, null, $"subscription to '{subscription.Pattern}' was cut off as a slow consumer: {reason}", ErrorCode.LimitExceeded);
        writer.End(peer, ref w, now);
    }

    private void Release(BrokerSubscription subscription, long now)
    {
        credit.Release(subscription.Flow!, now);
        _holding.Remove(subscription);
    }

    /// <summary>Counts a delivery that must wait; cuts a subscription off if a byte budget is now exceeded.</summary>
    private void Wait(BrokerSubscription subscription, byte[] msg, long now)
    {
        SubscriptionFlow flow = subscription.Flow!;
        flow.Waiting.Enqueue(msg);
        flow.WaitingBytes += msg.Length;
        subscription.Session.FlowWaitBytes += msg.Length;
        _waitBytes += msg.Length;
        _waiting.Add(subscription);
        if (flow.WaitingBytes > options.MaxFlowWaitBytes)
        {
            CutOff(subscription, $"more than MaxFlowWaitBytes ({options.MaxFlowWaitBytes}) waited for it", now);
        }
        else if (subscription.Session.FlowWaitBytes > options.MaxFlowWaitBytesPerPeer)
        {
            CutOff(subscription, $"more than MaxFlowWaitBytesPerPeer ({options.MaxFlowWaitBytesPerPeer}) waited for its connection", now);
        }

        // Bounded: each turn removes the subscription with the most waiting, and the total only counts waiting ones.
        while (_waitBytes > options.MaxFlowWaitBytesTotal && _waiting.Count > 0)
        {
            BrokerSubscription largest = _waiting.MaxBy(s => s.Flow!.WaitingBytes)!;
            CutOff(largest, $"the broker's flow-control waits passed MaxFlowWaitBytesTotal ({options.MaxFlowWaitBytesTotal}) and it had the most waiting", now);
        }
    }

    private void Unwait(BrokerSubscription subscription, long bytes)
    {
        subscription.Flow!.WaitingBytes -= bytes;
        subscription.Session.FlowWaitBytes -= bytes;
        _waitBytes -= bytes;
        if (subscription.Flow.Waiting.Count == 0)
        {
            _waiting.Remove(subscription);
        }
    }

    /// <summary>Sends waiting deliveries while there is room; once none wait, the publishers held back may go on.</summary>
    private void SendWaiting(PeerSession peer, BrokerSubscription subscription, long now)
    {
        SubscriptionFlow flow = subscription.Flow!;

        // Checked on each turn: a write can flush, find the queue full and back it up again.
        while (flow.Credit > 0 && peer.Backlog.WrittenCount == 0 && flow.Waiting.TryDequeue(out byte[]? msg))
        {
            flow.Credit--;
            Unwait(subscription, msg.Length);
            counters.MessagesDelivered++;
            writer.WriteRaw(peer, msg, now);
        }

        if (flow.Waiting.Count == 0 && flow.Stalled.Count > 0)
        {
            Release(subscription, now);
        }
    }
}
