namespace Mq.Broker.Routing;

/// <summary>The members of one queue group that match a subject; each message goes to the next live one, round robin.</summary>
internal sealed class QueueGroupRoute(string name, BrokerSubscription[] members)
{
    private int _next;

    public string Name { get; } = name;

    public BrokerSubscription[] Members { get; } = members;

    /// <summary>The next member whose peer is still connected, or null if none is.</summary>
    public BrokerSubscription? Pick()
    {
        for (int tried = 0; tried < Members.Length; tried++)
        {
            BrokerSubscription candidate = Members[_next];
            _next = (_next + 1) % Members.Length;
            if (!candidate.Session.IsClosed)
            {
                return candidate;
            }
        }

        return null;
    }
}
