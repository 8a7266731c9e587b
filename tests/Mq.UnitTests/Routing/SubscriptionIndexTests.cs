using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.UnitTests.Routing;

/// <summary><see cref="SubscriptionIndex"/>, the <see cref="RouteSet"/>s it builds and their <see cref="QueueGroupRoute"/>s.</summary>
public sealed class SubscriptionIndexTests
{
    private readonly PeerSession _a = Peer(1);
    private readonly PeerSession _b = Peer(2);
    private readonly PeerSession _c = Peer(3);

    [Fact]
    public void Plain_subscriptions_and_queue_groups_are_routed_apart()
    {
        var index = new SubscriptionIndex();
        var plain = new BrokerSubscription(_a, 1, "orders.>", null);
        var memberA = new BrokerSubscription(_a, 2, "orders.*", "workers");
        var memberB = new BrokerSubscription(_b, 1, "orders.eu", "workers");
        var otherGroup = new BrokerSubscription(_b, 2, "orders.>", "audit");
        var elsewhere = new BrokerSubscription(_c, 1, "billing.>", "workers");
        foreach (BrokerSubscription s in new[] { plain, memberA, memberB, otherGroup, elsewhere })
        {
            index.Add(s);
        }

        RouteSet routes = index.Lookup("orders.eu", out string? error)!;

        Assert.Null(error);
        Assert.Equal([plain], routes.Plain);
        Assert.Equal(["audit", "workers"], routes.Groups.Select(g => g.Name).Order());
        Assert.Equal([memberA, memberB], routes.Groups.Single(g => g.Name == "workers").Members.OrderBy(m => m.Session.Key));
        Assert.Equal([otherGroup], routes.Groups.Single(g => g.Name == "audit").Members);
        Assert.Equal(5, index.Count);
    }

    [Fact]
    public void Building_routes_from_no_matches_gives_the_shared_empty_set()
    {
        Assert.Same(RouteSet.Empty, RouteSet.Build([]));
        Assert.Empty(RouteSet.Empty.Plain);
        Assert.Empty(RouteSet.Empty.Groups);
    }

    [Fact]
    public void A_queue_group_picks_each_member_in_turn()
    {
        QueueGroupRoute route = Group(_a, _b, _c);
        Assert.Equal([1u, 2u, 3u, 1u, 2u, 3u, 1u], Enumerable.Range(0, 7).Select(_ => route.Pick()!.Session.Key));
    }

    [Fact]
    public void A_queue_group_skips_members_whose_session_is_closed_and_has_no_pick_when_all_are()
    {
        QueueGroupRoute route = Group(_a, _b, _c);
        Assert.Equal(1u, route.Pick()!.Session.Key);

        _b.State = PeerState.Closed;
        Assert.Equal([3u, 1u, 3u, 1u], Enumerable.Range(0, 4).Select(_ => route.Pick()!.Session.Key));

        _a.State = PeerState.Closed;
        _c.State = PeerState.Closed;
        Assert.Null(route.Pick());
        Assert.Null(route.Pick());
    }

    [Fact]
    public void Handshaking_members_still_count_as_live()
    {
        _a.State = PeerState.Handshaking;
        _b.State = PeerState.Ready;
        QueueGroupRoute route = Group(_a, _b);
        Assert.Equal([1u, 2u], Enumerable.Range(0, 2).Select(_ => route.Pick()!.Session.Key));
    }

    [Fact]
    public void Lookups_are_cached_until_subscriptions_change()
    {
        var index = new SubscriptionIndex();
        var first = new BrokerSubscription(_a, 1, "a.*", null);
        index.Add(first);

        RouteSet before = index.Lookup("a.b", out _)!;
        Assert.Same(before, index.Lookup("a.b", out _));
        Assert.NotSame(before, index.Lookup("a.c", out _));

        var second = new BrokerSubscription(_b, 1, "a.b", null);
        index.Add(second);
        RouteSet added = index.Lookup("a.b", out _)!;
        Assert.NotSame(before, added);
        Assert.Equal(2, added.Plain.Length);
        Assert.Same(added, index.Lookup("a.b", out _));

        index.Remove(second);
        RouteSet removed = index.Lookup("a.b", out _)!;
        Assert.NotSame(added, removed);
        Assert.Equal([first], removed.Plain);
    }

    [Fact]
    public void Removing_a_subscription_the_index_does_not_hold_changes_nothing()
    {
        var index = new SubscriptionIndex();
        index.Add(new BrokerSubscription(_a, 1, "a", null));
        RouteSet cached = index.Lookup("a", out _)!;

        index.Remove(new BrokerSubscription(_b, 1, "a", null));

        Assert.Equal(1, index.Count);
        Assert.Same(cached, index.Lookup("a", out _));
    }

    [Theory]
    [InlineData("a..b", "empty token")]
    [InlineData("a.*", "wildcard")]
    [InlineData("a.>", "wildcard")]
    [InlineData("a b", "whitespace")]
    [InlineData("", "empty")]
    public void An_invalid_subject_gets_null_and_an_error_every_time(string subject, string reason)
    {
        var index = new SubscriptionIndex();
        index.Add(new BrokerSubscription(_a, 1, ">", null));
        for (int i = 0; i < 2; i++)
        {
            Assert.Null(index.Lookup(subject, out string? error));
            Assert.Contains(reason, error);
        }
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
        for (int i = 1; i <= 3; i++)
        {
            index.Lookup($"s.{i}", out _);
        }

        Assert.Same(first, index.Lookup("s.0", out _));
        index.Lookup("s.4", out _);

        // The fifth distinct subject cleared the cache, so the first one is built anew.
        Assert.NotSame(first, index.Lookup("s.0", out _));
    }

    private static PeerSession Peer(uint key) => new(key, 0) { State = PeerState.Ready };

    private static QueueGroupRoute Group(params PeerSession[] members) =>
        new("workers", [.. members.Select(m => new BrokerSubscription(m, 1, "x", "workers"))], new GroupRotation());
}
