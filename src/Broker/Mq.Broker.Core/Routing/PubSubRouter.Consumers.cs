using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Broker.Streams;
using Mq.Protocol;

namespace Mq.Broker.Routing;

/// <summary>
/// Stream consumers are subscriptions too (their sid, limits, budgets, ACK and UNSUB are a SUB's), but they are fed
/// by their stream, not by the subscription index.
/// </summary>
internal sealed partial class PubSubRouter
{
    private int _consumers;

    /// <summary>A new stream consumer, or null when refused (the refusal is written).</summary>
    public BrokerSubscription? AddConsumer(PeerSession peer, ulong reference, ulong sid, string name, uint window, StreamCursor cursor, long now)
    {
        long cost = Budgets.SubscriptionCost(System.Text.Encoding.UTF8.GetByteCount(name), 0);
        if (!Admit(peer, reference, sid, cost, now))
        {
            return null;
        }

        var subscription = new BrokerSubscription(peer, sid, name, null, new SubscriptionFlow(window), cost) { Cursor = cursor };
        peer.Subscriptions.Add(sid, subscription);
        budgets.Subscribed(peer, cost);
        _consumers++;
        events.Subscribed(subscription, now);
        return subscription;
    }

    /// <summary>Ends a consumer the broker cannot serve (its stream deleted, a read failed); the caller tells the peer.</summary>
    public void RemoveConsumer(BrokerSubscription subscription, long now)
    {
        if (subscription.Session.Subscriptions.Remove(subscription.Sid))
        {
            Remove(subscription, now);
            events.Unsubscribed(subscription, now);
        }
    }

    public void CountDelivered() => counters.MessagesDelivered++;

    /// <summary>
    /// A message the broker publishes itself (a dead letter): routed like a PUB to every matching subscription, holding
    /// nobody back, and captured by the stream of its subject if there is one.
    /// </summary>
    public void PublishAsBroker(string subject, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload, long now)
    {
        if (_index.Lookup(subject, out _) is not { } routes)
        {
            return;
        }

        counters.MessagesPublished++;
        byte[] subjectUtf8 = System.Text.Encoding.UTF8.GetBytes(subject);
        foreach (BrokerSubscription subscription in routes.Plain)
        {
            Deliver(null, subscription, subjectUtf8, headers.Span, payload.Span, now);
        }

        foreach (QueueGroupRoute group in routes.Groups)
        {
            if (group.Pick() is { } member)
            {
                Deliver(null, member, subjectUtf8, headers.Span, payload.Span, now);
            }
        }

        Streams?.Capture(null, 0, false, subject, subjectUtf8, headers, payload, now);
    }

    /// <summary>The checks every new subscription passes: its sid is free, and the peer's count and byte budgets have room.</summary>
    private bool Admit(PeerSession peer, ulong reference, ulong sid, long cost, long now)
    {
        if (peer.Subscriptions.ContainsKey(sid))
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"subscription id {sid} is already in use", now);
            return false;
        }

        if (peer.Subscriptions.Count >= options.MaxSubscriptionsPerPeer)
        {
            writer.Refuse(peer, reference, ErrorCode.LimitExceeded, $"a peer may hold at most {options.MaxSubscriptionsPerPeer} subscriptions", now);
            return false;
        }

        if (budgets.RefuseSubscription(peer, cost) is { } overBudget)
        {
            writer.Refuse(peer, reference, ErrorCode.LimitExceeded, overBudget, now);
            return false;
        }

        return true;
    }
}
