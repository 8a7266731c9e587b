namespace Mq.Broker.Routing;

/// <summary>
/// Where one literal subject goes: every plain subscription, and one member of each queue group.
/// Built once per subject and cached until subscriptions change.
/// </summary>
internal sealed class RouteSet
{
    public static readonly RouteSet Empty = new([], []);

    public RouteSet(BrokerSubscription[] plain, QueueGroupRoute[] groups)
    {
        Plain = plain;
        Groups = groups;
    }

    public BrokerSubscription[] Plain { get; }

    public QueueGroupRoute[] Groups { get; }

    public static RouteSet Build(List<BrokerSubscription> matches, Func<string, GroupRotation>? rotations = null)
    {
        if (matches.Count == 0)
        {
            return Empty;
        }

        var plain = new List<BrokerSubscription>(matches.Count);
        Dictionary<string, List<BrokerSubscription>>? groups = null;
        foreach (BrokerSubscription sub in matches)
        {
            if (sub.Group is null)
            {
                plain.Add(sub);
                continue;
            }

            groups ??= new Dictionary<string, List<BrokerSubscription>>(StringComparer.Ordinal);
            if (!groups.TryGetValue(sub.Group, out List<BrokerSubscription>? members))
            {
                members = [];
                groups.Add(sub.Group, members);
            }

            members.Add(sub);
        }

        QueueGroupRoute[] groupRoutes = groups is null
            ? []
            : [.. groups.Select(pair => new QueueGroupRoute(pair.Key, [.. pair.Value], rotations?.Invoke(pair.Key) ?? new GroupRotation()))];
        return new RouteSet([.. plain], groupRoutes);
    }
}
