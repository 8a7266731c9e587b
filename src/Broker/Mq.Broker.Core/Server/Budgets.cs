using Mq.Broker.Sessions;

namespace Mq.Broker.Server;

/// <summary>
/// The byte and count budgets on what peers make the broker hold for them: per connection, per identity across
/// all its connections, and in the whole broker. A request past a budget is refused before anything is allocated
/// for it, with a message naming the budget (the option), so one peer or identity can never grow the broker's
/// memory beyond its share. Owned by the broker thread.
/// </summary>
internal sealed class Budgets(BrokerOptions options)
{
    /// <summary>What the broker keeps per subscription besides its strings: the subscription, its index node and list, table entries.</summary>
    public const int SubscriptionOverheadBytes = 512;

    private readonly Dictionary<string, IdentityBudget> _identities = new(StringComparer.Ordinal);

    /// <summary>The cost of every subscription in the broker.</summary>
    public long SubscriptionBytes { get; private set; }

    /// <summary>
    /// What a subscription costs: its pattern and queue group (UTF-8 bytes, counted four times: the broker keeps
    /// them as UTF-16 strings in the subscription and in the index) plus <see cref="SubscriptionOverheadBytes"/>.
    /// </summary>
    public static long SubscriptionCost(int patternBytes, int groupBytes) => SubscriptionOverheadBytes + 4L * (patternBytes + groupBytes);

    /// <summary>Why <paramref name="identity"/> may not open another session, or null if it may.</summary>
    public string? RefuseConnection(string identity) =>
        _identities.TryGetValue(identity, out IdentityBudget? budget) && budget.Connections >= options.MaxConnectionsPerIdentity
            ? $"identity '{identity}' already has {budget.Connections} sessions; MaxConnectionsPerIdentity is {options.MaxConnectionsPerIdentity}"
            : null;

    /// <summary>A session was welcomed: it shares its identity's budget, or has its own without one.</summary>
    public void Join(PeerSession session)
    {
        IdentityBudget budget;
        if (session.Identity is { Name: var name })
        {
            if (!_identities.TryGetValue(name, out budget!))
            {
                budget = new IdentityBudget(name);
                _identities.Add(name, budget);
            }
        }
        else
        {
            budget = new IdentityBudget(null);
        }

        budget.Connections++;
        session.Budget = budget;
    }

    /// <summary>A session ended (or started over); its subscriptions were released before.</summary>
    public void Leave(PeerSession session)
    {
        if (session.Budget is not { } budget)
        {
            return;
        }

        session.Budget = null;
        if (--budget.Connections == 0 && budget.Name is not null)
        {
            _identities.Remove(budget.Name);
        }
    }

    /// <summary>Why <paramref name="peer"/> may not add a subscription costing <paramref name="cost"/>, or null if it may.</summary>
    public string? RefuseSubscription(PeerSession peer, long cost)
    {
        IdentityBudget budget = peer.Budget!;
        if (peer.SubscriptionBytes + cost > options.MaxSubscriptionBytesPerPeer)
        {
            return $"this connection's subscriptions cost {peer.SubscriptionBytes} bytes; another of {cost} would pass MaxSubscriptionBytesPerPeer ({options.MaxSubscriptionBytesPerPeer})";
        }

        if (budget.Subscriptions >= options.MaxSubscriptionsPerIdentity)
        {
            return $"{budget} holds {budget.Subscriptions} subscriptions; MaxSubscriptionsPerIdentity is {options.MaxSubscriptionsPerIdentity}";
        }

        if (budget.SubscriptionBytes + cost > options.MaxSubscriptionBytesPerIdentity)
        {
            return $"the subscriptions of {budget} cost {budget.SubscriptionBytes} bytes; another of {cost} would pass MaxSubscriptionBytesPerIdentity ({options.MaxSubscriptionBytesPerIdentity})";
        }

        return SubscriptionBytes + cost > options.MaxSubscriptionBytesTotal
            ? $"the broker's subscriptions cost {SubscriptionBytes} bytes; another of {cost} would pass MaxSubscriptionBytesTotal ({options.MaxSubscriptionBytesTotal})"
            : null;
    }

    public void Subscribed(PeerSession peer, long cost) => Charge(peer, cost, 1);

    public void Unsubscribed(PeerSession peer, long cost) => Charge(peer, -cost, -1);

    private void Charge(PeerSession peer, long cost, int count)
    {
        peer.SubscriptionBytes += cost;
        SubscriptionBytes += cost;
        if (peer.Budget is { } budget)
        {
            budget.Subscriptions += count;
            budget.SubscriptionBytes += cost;
        }
    }
}
