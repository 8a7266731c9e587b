using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Kit;

/// <summary>The kit's broker on a Unix socket: clients, peer processes and restarts all use the socket, with TCP beside it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixKitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_in_process_broker_on_a_unix_socket_hands_out_that_endpoint_and_keeps_it_across_a_restart()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.Unix = true);
        Assert.StartsWith("unix:///", broker.Endpoint);
        Assert.StartsWith("tcp://127.0.0.1:", broker.TcpEndpoint);
        Assert.Equal(broker.Endpoint, broker.ClientOptions("a").Endpoint);
        Assert.Equal(broker.Endpoint, broker.PeerEnvironment()["MQ_BROKER"]);

        await using MqClient subscriber = await broker.ConnectAsync("subscriber");
        await using MqClient tcp = await MqClient.ConnectAsync(broker.TcpEndpoint, "tcp-publisher");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("kit.>");
        await tcp.PublishAsync("kit.one", 1);
        await broker.WaitForQuietAsync(Bound);
        Assert.Equal(1, subscription.Received);

        string endpoint = broker.Endpoint;
        Task back = Task.WhenAll(Reconnected(subscriber), Reconnected(tcp));
        await broker.RestartAsync();
        Assert.Equal(endpoint, broker.Endpoint);
        await back.WaitAsync(Bound);
        await subscriber.FlushAsync();
        await tcp.PublishAsync("kit.two", 2);
        await tcp.FlushAsync();
        await broker.WaitForQuietAsync(Bound);
        Assert.Equal(2, subscription.Received);
    }

    [Fact]
    public async Task A_broker_process_on_a_unix_socket_serves_a_hosted_peer_process_started_by_the_kit()
    {
        await using TestBroker broker = await TestBroker.StartProcessAsync(o => o.Unix = true);
        Assert.StartsWith("unix:///", broker.Endpoint);

        // The subscriber's demo is a hosted app (AddMq) configured by the kit's environment: Mq__Endpoint is the socket.
        await using PeerProcess demo = await broker.StartPeerAsync(PeerStart.App("Mq.Subscriber", "demo", "--topic", "kit.>", "--stats-service", "kit.stats", "--name", "hosted-unix"));
        await using MqClient client = await broker.ConnectAsync("asker");
        MqReply reply = await client.RequestAsync("kit.stats", MessagePack.MessagePackSerializer.Serialize<object?>(null));
        Assert.False(reply.Data.IsEmpty);

        MqReply peers = await client.RequestAsync("$SYS.peers", ReadOnlyMemory<byte>.Empty);
        var entries = ((object[])peers.Deserialize<Dictionary<string, object?>>()["peers"]!).Cast<Dictionary<object, object?>>();
        Assert.Contains(entries, p => (string?)p["name"] == "hosted-unix" && ((string?)p["address"])!.StartsWith($"unix:pid={demo.Id},", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_unix_socket_cannot_go_with_a_secured_broker()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => TestBroker.StartAsync(o => (o.Unix, o.Secure) = (true, true)));
        Assert.Contains("a Unix socket has no secure channel", error.Message);
    }

    private static Task Reconnected(MqClient client)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lost = false;
        client.ConnectionStateChanged += (_, e) =>
        {
            lost |= e.State == ConnectionState.Disconnected;
            if (lost && e.State == ConnectionState.Connected)
            {
                connected.TrySetResult();
            }
        };
        return connected.Task;
    }
}
