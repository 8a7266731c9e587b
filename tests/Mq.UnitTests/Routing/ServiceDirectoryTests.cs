using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.UnitTests.Routing;

public sealed class ServiceDirectoryTests
{
    [Fact]
    public void Nobody_serving_means_no_pick()
    {
        var directory = new ServiceDirectory();
        Assert.False(directory.TryPick("inventory", out _, out _));
    }

    [Fact]
    public void Idle_servers_take_turns()
    {
        var directory = new ServiceDirectory();
        PeerSession[] servers = [Peer(1), Peer(2), Peer(3)];
        foreach (PeerSession server in servers)
        {
            directory.Add("inventory", server);
        }

        uint[] picks = Enumerable.Range(0, 6).Select(_ => Pick(directory, "inventory").Key).ToArray();

        Assert.Equal([1u, 2u, 3u, 1u, 2u, 3u], picks);
    }

    [Fact]
    public void The_server_with_the_least_outstanding_requests_wins()
    {
        var directory = new ServiceDirectory();
        PeerSession busy = Peer(1), lighter = Peer(2), idle = Peer(3);
        busy.HeldRequests.UnionWith([1, 2, 3]);
        lighter.HeldRequests.Add(4);
        directory.Add("inventory", busy);
        directory.Add("inventory", lighter);
        directory.Add("inventory", idle);

        Assert.Same(idle, Pick(directory, "inventory"));
        idle.HeldRequests.UnionWith([5, 6]);
        Assert.Same(lighter, Pick(directory, "inventory"));
    }

    [Fact]
    public void The_picked_name_is_the_registered_string()
    {
        var directory = new ServiceDirectory();
        directory.Add("inventory", Peer(1));
        Assert.True(directory.TryPick("inventory".AsSpan(), out string? name, out _));
        Assert.Equal("inventory", name);
    }

    [Fact]
    public void Removing_the_last_server_removes_the_service()
    {
        var directory = new ServiceDirectory();
        PeerSession a = Peer(1), b = Peer(2);
        directory.Add("inventory", a);
        directory.Add("inventory", b);

        directory.Remove("inventory", a);
        Assert.Same(b, Pick(directory, "inventory"));
        directory.Remove("inventory", b);
        Assert.Equal(0, directory.Count);
        Assert.False(directory.TryPick("inventory", out _, out _));
    }

    private static PeerSession Peer(uint key) => new(key, [0, (byte)key, 0, 0, 0], 0);

    private static PeerSession Pick(ServiceDirectory directory, string service)
    {
        Assert.True(directory.TryPick(service, out _, out PeerSession? server));
        return server;
    }
}
