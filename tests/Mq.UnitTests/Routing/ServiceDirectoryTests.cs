using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.UnitTests.Routing;

public sealed class ServiceDirectoryTests
{
    private readonly ServiceDirectory _directory = new();

    [Fact]
    public void Nobody_serving_means_no_pick()
    {
        Assert.False(_directory.TryPick("inventory", out string? name, out PeerSession? server, out _));
        Assert.Null(name);
        Assert.Null(server);

        _directory.Add("billing", Peer(1));
        Assert.False(_directory.TryPick("inventory", out _, out _, out _));
        Assert.False(_directory.TryPick("billing.x", out _, out _, out _));
    }

    [Fact]
    public void Idle_servers_take_turns_in_rotation()
    {
        Serve(Peer(1), Peer(2), Peer(3));
        Assert.Equal([1u, 2u, 3u, 1u, 2u, 3u], Picks(6));
    }

    [Fact]
    public void The_server_with_the_least_outstanding_requests_wins()
    {
        PeerSession busy = Peer(1), lighter = Peer(2), idle = Peer(3);
        busy.HeldRequests.UnionWith([1, 2, 3]);
        lighter.HeldRequests.Add(4);
        Serve(busy, lighter, idle);

        Assert.Same(idle, Pick());
        Assert.Same(idle, Pick());
        idle.HeldRequests.UnionWith([5, 6]);
        Assert.Same(lighter, Pick());
        lighter.HeldRequests.Clear();
        Assert.Same(lighter, Pick());
    }

    [Fact]
    public void Ties_among_the_least_busy_rotate_and_busier_servers_are_passed_over()
    {
        PeerSession a = Peer(1), busy = Peer(2), c = Peer(3), d = Peer(4);
        busy.HeldRequests.Add(1);
        Serve(a, busy, c, d);

        Assert.Equal([1u, 3u, 4u, 1u, 3u, 4u], Picks(6));
    }

    [Fact]
    public void Picks_simulating_held_requests_spread_evenly()
    {
        PeerSession[] servers = [Peer(1), Peer(2), Peer(3)];
        Serve(servers);
        for (ulong id = 1; id <= 9; id++)
        {
            Pick().HeldRequests.Add(id);
        }

        Assert.All(servers, s => Assert.Equal(3, s.Outstanding));
    }

    [Fact]
    public void The_picked_name_is_the_registered_string()
    {
        _directory.Add("inventory", Peer(1));
        Assert.True(_directory.TryPick("xinventoryx".AsSpan(1, 9), out string? name, out _, out _));
        Assert.Equal("inventory", name);
    }

    [Fact]
    public void Removing_a_server_stops_its_picks_and_removing_the_last_removes_the_service()
    {
        PeerSession a = Peer(1), b = Peer(2);
        Serve(a, b);
        Assert.Equal(1, _directory.Count);

        _directory.Remove("inventory", a);
        Assert.Equal([2u, 2u], Picks(2));
        _directory.Remove("inventory", b);
        Assert.Equal(0, _directory.Count);
        Assert.False(_directory.TryPick("inventory", out _, out _, out _));
    }

    [Fact]
    public void Removing_what_is_not_registered_changes_nothing()
    {
        PeerSession a = Peer(1);
        Serve(a);
        _directory.Remove("inventory", Peer(2));
        _directory.Remove("billing", a);
        Assert.Equal(1, _directory.Count);
        Assert.Same(a, Pick());
    }

    [Fact]
    public void Services_are_independent()
    {
        PeerSession a = Peer(1), b = Peer(2);
        _directory.Add("inventory", a);
        _directory.Add("billing", b);
        _directory.Add("billing", a);

        Assert.Same(a, Pick("inventory"));
        Assert.Same(a, Pick("inventory"));
        Assert.Equal(2, _directory.Count);
        Assert.Equal([b, a], new[] { Pick("billing"), Pick("billing") });
    }

    private static PeerSession Peer(uint key) => new(key, 0);

    private void Serve(params PeerSession[] servers)
    {
        foreach (PeerSession server in servers)
        {
            _directory.Add("inventory", server);
        }
    }

    private PeerSession Pick(string service = "inventory")
    {
        Assert.True(_directory.TryPick(service, out _, out PeerSession? server, out _));
        return server;
    }

    private uint[] Picks(int count) => [.. Enumerable.Range(0, count).Select(_ => Pick().Key)];
}
