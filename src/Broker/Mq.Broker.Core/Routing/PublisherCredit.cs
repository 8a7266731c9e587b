using MessagePack;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Routing;

/// <summary>
/// Credit-based flow control of publishers. Each session may send <see cref="BrokerOptions.PublisherCreditBytes"/>
/// of PUB commands beyond what the broker has processed; the broker tops the credit up with CREDIT as it goes,
/// except while the publisher is stalled on a flow-controlled subscription that cannot take more. A publisher
/// is thus slowed to its slowest flow-controlled subscriber, and what waits in the broker stays bounded by
/// the credit it had already been given.
/// </summary>
internal sealed class PublisherCredit(BrokerOptions options, PeerWriter writer, BrokerCounters counters)
{
    private readonly long _window = options.PublisherCreditBytes;

    // A peer sends a frame while any credit is left, so it may overshoot by one frame, as large as a batch or one command.
    private readonly long _overshoot = ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes);

    /// <summary>A new session starts with a full window, announced in WELCOME.</summary>
    public static void Reset(PeerSession session, long window)
    {
        session.PublishedBytes = 0;
        session.CreditGranted = window;
    }

    /// <summary>Counts a PUB; false when the peer went past its credit (it ignores flow control) and the PUB must be refused.</summary>
    public bool Charge(PeerSession publisher, int commandBytes)
    {
        publisher.PublishedBytes += commandBytes;
        return publisher.PublishedBytes <= publisher.CreditGranted + _overshoot;
    }

    /// <summary>Holds <paramref name="publisher"/> back until <paramref name="flow"/> has caught up.</summary>
    public void Stall(PeerSession publisher, SubscriptionFlow flow, long now)
    {
        if (flow.Stalled.Count == 0)
        {
            flow.HoldingSince = now;
        }

        if (flow.Stalled.Add(publisher))
        {
            publisher.StalledBy.Add(flow);
            counters.PublisherStalls++;
        }
    }

    /// <summary><paramref name="flow"/> caught up (or went away): its publishers may go on, once nothing else holds them.</summary>
    public void Release(SubscriptionFlow flow, long now)
    {
        foreach (PeerSession publisher in flow.Stalled)
        {
            publisher.StalledBy.Remove(flow);
            Replenish(publisher, now);
        }

        flow.Stalled.Clear();
    }

    /// <summary>A publisher is gone: the subscriptions it was waiting on forget it.</summary>
    public static void Forget(PeerSession publisher)
    {
        foreach (SubscriptionFlow flow in publisher.StalledBy)
        {
            flow.Stalled.Remove(publisher);
        }

        publisher.StalledBy.Clear();
    }

    /// <summary>Grants a fresh window once half of the last one is used, unless the publisher is stalled.</summary>
    public void Replenish(PeerSession publisher, long now)
    {
        if (publisher.State != PeerState.Ready || publisher.StalledBy.Count > 0 || publisher.CreditGranted - publisher.PublishedBytes >= _window / 2)
        {
            return;
        }

        publisher.CreditGranted = publisher.PublishedBytes + _window;
        MessagePackWriter w = writer.Begin(publisher);
        CommandWriter.WriteCredit(ref w, (ulong)publisher.CreditGranted);
        writer.End(publisher, ref w, now);
    }
}
