using System.Text.Json;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary><c>Mq.Broker events</c> and the slow-consumer columns of <c>Mq.Broker peers</c>, against running brokers.</summary>
public sealed class BrokerEventsCliTests(SmallQueueBrokerFixture fixture) : IClassFixture<SmallQueueBrokerFixture>
{
    [Fact]
    public async Task Events_prints_one_json_object_per_event_and_exits_0_after_count()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0");
        await using (broker)
        {
            await using PeerProcess events = PeerProcess.Start("Mq.Broker", ["events", "--endpoint", endpoint, "--json", "--count", "2", "--timeout", "30", "peer.*"]);
            await events.WaitForLineAsync("watching $SYS.event.peer.*", Cli.Timeout, onStandardError: true);

            await using (await Cli.SubscribedAsync(endpoint, "--topic", Cli.Unique("ev"), "--name", "ev-peer"))
            {
            }

            Assert.Equal(0, (await Cli.RunAsync(events)).ExitCode);
            Assert.Equal(2, events.StandardOutput.Count);
            using JsonDocument connected = JsonDocument.Parse(events.StandardOutput[0]);
            using JsonDocument left = JsonDocument.Parse(events.StandardOutput[1]);
            Assert.Equal("peer.connected", connected.RootElement.GetProperty("event").GetString());
            Assert.Equal("ev-peer", connected.RootElement.GetProperty("name").GetString());
            Assert.Equal("127.0.0.1", connected.RootElement.GetProperty("address").GetString());
            Assert.Equal("peer.disconnected", left.RootElement.GetProperty("event").GetString());
            Assert.Equal("ev-peer", left.RootElement.GetProperty("name").GetString());
            Assert.False(string.IsNullOrEmpty(left.RootElement.GetProperty("reason").GetString()));
        }
    }

    [Fact]
    public async Task Events_exits_2_when_fewer_events_than_count_come_in_time()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0");
        await using (broker)
        {
            await using PeerProcess events = PeerProcess.Start("Mq.Broker", ["events", "--endpoint", endpoint, "--count", "1", "--timeout", "1", "auth_failed"]);

            Assert.Equal(2, (await Cli.RunAsync(events)).ExitCode);
            Assert.Empty(events.StandardOutput);
            Assert.Equal("Mq broker events: 0 of 1 events within 1 s", events.StandardError[^1]);
        }
    }

    [Fact]
    public async Task Peers_names_a_paused_subscriber_as_a_slow_consumer_with_its_drops_and_events_tells_of_it()
    {
        string endpoint = fixture.Broker.Endpoint;
        string topic = Cli.Unique("stalled");
        await using PeerProcess events = PeerProcess.Start("Mq.Broker", ["events", "--endpoint", endpoint, "--count", "1", "--timeout", "30", "slow_consumer"]);
        await events.WaitForLineAsync("watching $SYS.event.slow_consumer", Cli.Timeout, onStandardError: true);
        await using PeerProcess subscriber = await Cli.SubscribedAsync(endpoint, "--topic", topic, "--name", "stalled-reader");

        // Paused, it reads nothing: the broker's 64 KiB queue towards it fills and the rest is dropped.
        await subscriber.PauseAsync();
        try
        {
            await using PeerProcess publisher = Cli.Publisher(endpoint, topic, "--size", "128", "--count", "50000");
            Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

            await using PeerProcess peers = PeerProcess.Start("Mq.Broker", ["peers", "--endpoint", endpoint]);
            Assert.Equal(0, (await Cli.RunAsync(peers)).ExitCode);
            string[] columns = peers.StandardOutput[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] row = Assert.Single(peers.StandardOutput, line => line.StartsWith("stalled-reader ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("yes", row[Array.IndexOf(columns, "slow_consumer")]);
            Assert.InRange(long.Parse(row[Array.IndexOf(columns, "dropped_messages")]), 1, 50_000);
        }
        finally
        {
            subscriber.Resume();
        }

        Assert.Equal(0, (await Cli.RunAsync(events)).ExitCode);
        string line = Assert.Single(events.StandardOutput);
        Assert.Contains(" slow_consumer name=stalled-reader ", line);
        Assert.Contains($" pattern={topic} ", line);
    }
}
