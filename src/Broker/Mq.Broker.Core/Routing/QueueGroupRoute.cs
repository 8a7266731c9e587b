namespace Mq.Broker.Routing;

/// <summary>
/// The members of one queue group that match a subject; each message goes to the next live one. The rotation
/// is the group's own (<see cref="GroupRotation"/>), shared by every subject, so a group on a wildcard shares
/// messages evenly even when each has a new subject, and survives route-cache rebuilds.
/// </summary>
internal sealed class QueueGroupRoute(string name, BrokerSubscription[] members, GroupRotation rotation)
{
    public string Name { get; } = name;

    public BrokerSubscription[] Members { get; } = members;

    /// <summary>
    /// The next member whose peer is still connected and, if it is flow-controlled, has room now; failing that
    /// the first connected one (its delivery waits); null if none is connected.
    /// </summary>
    public BrokerSubscription? Pick()
    {
        BrokerSubscription? fallback = null;
        for (int tried = 0; tried < Members.Length; tried++)
        {
            BrokerSubscription candidate = Members[(int)(rotation.Next() % (uint)Members.Length)];
            if (candidate.Session.IsClosed || candidate.Removed)
            {
                continue;
            }

            if (candidate.Flow is not { } flow || flow.HasRoom(candidate.Session))
            {
                return candidate;
            }

            fallback ??= candidate;
        }

        return fallback;
    }
}
