using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.UnitTests.Routing;

public sealed class SubscriptionIndexTests
{
    private readonly PeerSession _a = new(1, [0, 1, 0, 0, 0], 0);
    private readonly PeerSession _b = new(2, [0, 2, 0, 0, 0], 0);

    [Fact]
    public void Plain_subscriptions_and_queue_groups_are_routed_apart()
    {
        var index = new SubscriptionIndex();
        var plain = new BrokerSubscription(_a, 1, "orders.>", null);
        var memberA = new BrokerSubscription(_a, 2, "orders.*", "workers");
        var memberB = new BrokerSubscription(_b, 1, "orders.eu", "workers");
        var otherGroup = new BrokerSubscription(_b, 2, "orders.>", "audit");
        foreach (BrokerSubscription s in new[] { plain, memberA, memberB, otherGroup })
        {
            index.Add(s);
        }

        RouteSet routes = index.Lookup("orders.eu", out string? error)!;

        Assert.Null(error);
        Assert.Equal([plain], routes.Plain);
        Assert.Equal(["audit", "workers"], routes.Groups.Select(g => g.Name).Order());
        Assert.Equal(2, routes.Groups.Single(g => g.Name == "workers").Members.Length);
    }

    [Fact]
    public void A_queue_group_picks_its_members_in_turn_and_skips_closed_ones()
    {
        var c = new PeerSession(3, [0, 3, 0, 0, 0], 0);
        var route = new QueueGroupRoute("workers", [new(_a, 1, "x", "workers"), new(_b, 1, "x", "workers"), new(c, 1, "x", "workers")]);

        Assert.Equal([1u, 2u, 3u, 1u], Enumerable.Range(0, 4).Select(_ => route.Pick()!.Session.Key));

        _b.State = PeerState.Closed;
        Assert.Equal([3u, 1u, 3u], Enumerable.Range(0, 3).Select(_ => route.Pick()!.Session.Key));

        _a.State = PeerState.Closed;
        c.State = PeerState.Closed;
        Assert.Null(route.Pick());
    }

    [Fact]
    public void Lookups_are_cached_until_subscriptions_change()
    {
        var index = new SubscriptionIndex();
        var first = new BrokerSubscription(_a, 1, "a.*", null);
        index.Add(first);

        RouteSet before = index.Lookup("a.b", out _)!;
        Assert.Same(before, index.Lookup("a.b", out _));

        var second = new BrokerSubscription(_b, 1, "a.b", null);
        index.Add(second);
        RouteSet after = index.Lookup("a.b", out _)!;
        Assert.NotSame(before, after);
        Assert.Equal(2, after.Plain.Length);

        index.Remove(second);
        Assert.Single(index.Lookup("a.b", out _)!.Plain);
    }

    [Fact]
    public void An_invalid_subject_gets_an_error_and_is_not_cached()
    {
        var index = new SubscriptionIndex();
        Assert.Null(index.Lookup("a..b", out string? error));
        Assert.Contains("empty token", error);
        Assert.Null(index.Lookup("a.*", out error));
        Assert.Contains("wildcard", error);
    }

    [Fact]
    public void A_subject_nobody_subscribes_to_has_empty_routes()
    {
        var index = new SubscriptionIndex();
        RouteSet routes = index.Lookup("lonely", out string? error)!;
        Assert.Null(error);
        Assert.Empty(routes.Plain);
        Assert.Empty(routes.Groups);
    }

    [Fact]
    public void The_cache_stays_bounded()
    {
        var index = new SubscriptionIndex(cacheLimit: 4);
        index.Add(new BrokerSubscription(_a, 1, ">", null));
        RouteSet first = index.Lookup("s.0", out _)!;
        for (int i = 1; i <= 4; i++)
        {
            index.Lookup($"s.{i}", out _);
        }

        // The fifth distinct subject cleared the cache, so the first one is built anew.
        Assert.NotSame(first, index.Lookup("s.0", out _));
    }
}
