using System.Diagnostics;
using Mq.Client;
using Mq.Errors;
using Mq.Testing;

namespace Mq.IntegrationTests.Kit;

/// <summary>The kit's fault injection: sever one peer, restart the broker, delay or drop a peer's traffic.</summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Severing_a_peer_by_name_drops_only_its_connection_and_it_connects_anew()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using MqClient victim = await broker.ConnectAsync("victim");
        await using MqClient bystander = await broker.ConnectAsync("bystander");
        Task<string> victimReconnected = NextStateAsync(victim, ConnectionState.Connected);
        bool bystanderDropped = false;
        bystander.ConnectionStateChanged += (_, e) => bystanderDropped |= e.State == ConnectionState.Disconnected;

        Assert.Equal(1, await broker.SeverAsync("victim"));

        await victimReconnected.WaitAsync(Bound);
        Assert.False(bystanderDropped);
        Assert.Equal(0, await broker.SeverAsync("nobody"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_restarted_broker_listens_on_the_same_endpoint_and_its_peers_come_back(bool asProcess)
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.AsProcess = asProcess);
        string endpoint = broker.Endpoint;
        await using MqClient peer = await broker.ConnectAsync("survivor");
        await using MqService echo = await peer.ServeAsync<int, int>("echo", (n, _) => ValueTask.FromResult(n));
        Task<string> back = NextStateAsync(peer, ConnectionState.Connected);

        await broker.RestartAsync();

        await back.WaitAsync(Bound);
        Assert.Equal(endpoint, broker.Endpoint);
        Assert.Equal(5, await peer.RequestAsync<int, int>("echo", 5, new RequestOptions { RetryOnDisconnect = true }));
    }

    [Fact]
    public async Task A_proxy_delays_a_peer_s_traffic_by_its_delay()
    {
        await using ProxiedPeer peer = await ProxiedPeer.StartAsync("slow");
        (TcpProxy proxy, MqClient slow) = (peer.Proxy, peer.Client);

        proxy.Delay = TimeSpan.FromMilliseconds(200);
        var clock = Stopwatch.StartNew();
        Assert.Equal(1, await slow.RequestAsync<int, int>("echo", 1));

        // Both ways: the request and its reply each wait once.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"round trip took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_proxy_that_drops_a_peer_s_traffic_leaves_its_requests_unanswered_and_severing_brings_it_back()
    {
        await using ProxiedPeer peer = await ProxiedPeer.StartAsync("cut");
        (TcpProxy proxy, MqClient cut) = (peer.Proxy, peer.Client);

        proxy.Dropping = true;
        await Assert.ThrowsAnyAsync<MqException>(async () => await cut.RequestAsync<int, int>("echo", 1, new RequestOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Task<string> back = NextStateAsync(cut, ConnectionState.Connected);
        proxy.Dropping = false;
        proxy.SeverAll();
        await back.WaitAsync(Bound);
        Assert.Equal(2, await cut.RequestAsync<int, int>("echo", 2, new RequestOptions { RetryOnDisconnect = true }));
    }

    /// <summary>Completes when <paramref name="client"/> next enters <paramref name="state"/> after a loss.</summary>
    private static Task<string> NextStateAsync(MqClient client, ConnectionState state)
    {
        var reached = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lost = false;
        client.ConnectionStateChanged += (_, e) =>
        {
            lost |= e.State == ConnectionState.Disconnected;
            if (lost && e.State == state)
            {
                reached.TrySetResult(e.Reason);
            }
        };
        return reached.Task;
    }

    /// <summary>A broker with an echo service, and a client that reaches it through a <see cref="TcpProxy"/>.</summary>
    private sealed class ProxiedPeer : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];

        public TcpProxy Proxy { get; private set; } = null!;

        public MqClient Client { get; private set; } = null!;

        public static async Task<ProxiedPeer> StartAsync(string name)
        {
            var peer = new ProxiedPeer();
            try
            {
                TestBroker broker = peer.Own(await TestBroker.StartAsync());
                MqClient server = peer.Own(await broker.ConnectAsync("server"));
                peer.Own(await server.ServeAsync<int, int>("echo", (n, _) => ValueTask.FromResult(n)));
                peer.Proxy = peer.Own(new TcpProxy(broker.Endpoint));
                peer.Client = peer.Own(await MqClient.ConnectAsync(broker.ClientOptions(name) with { Endpoint = peer.Proxy.Endpoint }));
                return peer;
            }
            catch
            {
                await peer.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (IAsyncDisposable owned in Enumerable.Reverse(_owned))
            {
                await owned.DisposeAsync();
            }
        }

        private T Own<T>(T disposable)
            where T : IAsyncDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }
    }
}
