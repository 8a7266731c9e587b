using Mq.Broker.Server;

namespace Mq.Broker.Routing;

/// <summary>
/// Messages the broker publishes itself (<c>$SYS.event.</c>, see <see cref="Events.BrokerEvents"/>): they reach only
/// subscriptions whose pattern starts with <c>$SYS.</c>, so a peer listening to <c>&gt;</c> gets none, and they
/// go out as any delivery does (sequence numbers, flow control, drops), except that no publisher can be held back.
/// </summary>
internal sealed partial class PubSubRouter
{
    // Subscriptions under $SYS.: while there are none, no event is even built.
    private int _systemSubscriptions;

    /// <summary>True while some subscription's pattern starts with <c>$SYS.</c>: until then no event is worth building.</summary>
    public bool HasEventWatchers => _systemSubscriptions > 0;

    /// <summary>The routes of an event to <paramref name="subject"/>, or null when no subscription under <c>$SYS.</c> wants it.</summary>
    public RouteSet? EventRoutes(string subject)
    {
        if (!HasEventWatchers || _index.Lookup(subject, out _) is not { } routes)
        {
            return null;
        }

        foreach (BrokerSubscription subscription in routes.Plain)
        {
            if (IsSystem(subscription))
            {
                return routes;
            }
        }

        foreach (QueueGroupRoute group in routes.Groups)
        {
            foreach (BrokerSubscription member in group.Members)
            {
                if (IsSystem(member))
                {
                    return routes;
                }
            }
        }

        return null;
    }

    /// <summary>Delivers one event along <paramref name="routes"/> (from <see cref="EventRoutes"/>).</summary>
    public void PublishEvent(RouteSet routes, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> payload, long now)
    {
        foreach (BrokerSubscription subscription in routes.Plain)
        {
            if (IsSystem(subscription))
            {
                Deliver(null, subscription, subject, default, payload, now);
            }
        }

        foreach (QueueGroupRoute group in routes.Groups)
        {
            if (group.Pick() is { } member && IsSystem(member))
            {
                Deliver(null, member, subject, default, payload, now);
            }
        }
    }

    private static bool IsSystem(BrokerSubscription subscription) => subscription.Pattern.StartsWith(QuietWatch.ReservedPrefix, StringComparison.Ordinal);
}
