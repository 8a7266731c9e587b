using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.Broker.Server;

/// <summary>What the broker still has to do before it is quiet (docs/protocol.md §8.1).</summary>
internal sealed partial class BrokerEngine
{
    /// <summary>Why the broker is not quiet yet (see <see cref="QuietWatch"/>), or null when nothing is left to deliver.</summary>
    private string? Busy()
    {
        if (_requests.PendingCount > 0)
        {
            return $"{_requests.PendingCount} request(s) in flight";
        }

        if (Streams?.Busy() is { } streams)
        {
            return streams;
        }

        foreach (PeerSession session in _sessions.Values)
        {
            if (session.Output.WrittenCount > 0 || session.Backlog.WrittenCount > 0)
            {
                return $"{session} has commands waiting for room in its queue";
            }

            if (session.DroppedBySid.Count > 0)
            {
                return $"{session} has drops not reported yet";
            }

            foreach (BrokerSubscription subscription in session.Subscriptions.Values)
            {
                if (subscription.Flow is { Waiting.Count: > 0 } flow)
                {
                    return $"{flow.Waiting.Count} deliveries wait for flow-control credit of {session}";
                }
            }
        }

        return null;
    }
}
