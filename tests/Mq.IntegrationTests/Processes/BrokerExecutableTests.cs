using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Processes;

/// <summary>The Mq.Broker executable, started as users start it, and peers reacting to what happens to it.</summary>
public sealed class BrokerExecutableTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task It_reports_the_bound_endpoint_when_ready_and_routes_between_peers()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            await using MqClient a = await MqClient.ConnectAsync(endpoint, "a");
            await using MqClient b = await MqClient.ConnectAsync(endpoint, "b");
            await using MqSubscription subscription = await a.SubscribeAsync("hello.*");
            await b.PublishAsync("hello.world", "hi");
            Assert.Equal("hi", (await subscription.TakeAsync(1)).Single().Deserialize<string>());
            await broker.WaitForLineAsync("Peer a (peer-", Waits.Default);
        }
    }

    [Fact]
    public async Task It_exits_non_zero_with_a_clear_message_when_it_cannot_bind()
    {
        await using var occupant = new InProcessBroker();
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", occupant.Endpoint]);

        int exitCode = await broker.WaitForExitAsync(ExitTimeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"cannot listen on {occupant.Endpoint}", broker.Output);
        Assert.DoesNotContain("   at ", broker.Output);
    }

    [Fact]
    public async Task It_refuses_invalid_configuration_at_start()
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--Broker:MaxPayloadBytes=1"]);

        int exitCode = await broker.WaitForExitAsync(ExitTimeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("MaxPayloadBytes", broker.Output);
    }

    [Fact]
    public async Task Sigterm_stops_it_gracefully_and_peers_hear_goodbye_at_once()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            await using MqClient peer = await MqClient.ConnectAsync(endpoint, "listener");
            Task<string> disconnected = peer.NextStateAsync(ConnectionState.Disconnected);

            broker.Signal(15);

            Assert.Equal(0, await broker.WaitForExitAsync(ExitTimeout));
            Assert.Contains("goodbye", await disconnected.WaitAsync(Waits.Default));
            Assert.Contains("Mq broker stopped", broker.Output);
        }
    }

    [Fact]
    public async Task A_peer_learns_of_a_killed_broker_within_the_heartbeat_timeout_and_in_flight_requests_fail_at_once()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            await using MqClient server = await MqClient.ConnectAsync(endpoint, "server");
            await using MqClient requester = await MqClient.ConnectAsync(endpoint, "requester");
            var holding = new TaskCompletionSource();
            await using MqService service = await server.ServeAsync("hold", async (_, ct) =>
            {
                holding.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return ReadOnlyMemory<byte>.Empty;
            });
            Task<string> disconnected = requester.NextStateAsync(ConnectionState.Disconnected);

            Task<MqReply> request = requester.RequestAsync("hold", default, new RequestOptions { Timeout = TimeSpan.FromMinutes(1) }).AsTask();
            await holding.Task.WaitAsync(Waits.Default);
            broker.Kill();

            // Default heartbeat timeout is 3 s: the peer must notice well before the request's one-minute deadline.
            await disconnected.WaitAsync(TimeSpan.FromSeconds(8));
            await Assert.ThrowsAsync<NotConnectedException>(() => request.WaitAsync(TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task After_a_broker_restart_peers_reconnect_and_restore_their_subscriptions_and_services()
    {
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync();
        await using MqClient subscriber = await MqClient.ConnectAsync(endpoint, "subscriber");
        await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("after.restart");
        await using MqService echo = await subscriber.ServeAsync("echo", (request, _) => ValueTask.FromResult(request.Data));
        Task<string> reconnected = publisher.NextStateAsync(ConnectionState.Connected);

        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(ExitTimeout);
        }

        (PeerProcess second, _) = await BrokerProcess.StartAsync(endpoint);
        await using (second)
        {
            await reconnected.WaitAsync(TimeSpan.FromSeconds(15));
            await Waits.UntilAsync(async () => await TryEchoAsync(publisher), "the echo service being restored");
            await publisher.PublishAsync("after.restart", "back");
            Assert.Equal("back", (await subscription.TakeAsync(1)).Single().Deserialize<string>());
        }
    }

    private static async Task<bool> TryEchoAsync(MqClient client)
    {
        try
        {
            await client.RequestAsync("echo", new byte[] { 1 });
            return true;
        }
        catch (MqException)
        {
            return false;
        }
    }
}
