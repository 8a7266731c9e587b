using System.Text.Json;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary><c>Mq.Broker info|stats|peers|subs|services</c> against real broker processes: tables, JSON, permissions and exit codes.</summary>
public sealed class BrokerSystemCliTests
{
    [Fact]
    public async Task Subs_and_peers_show_a_live_subscriber_as_a_table_and_as_json()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0");
        await using (broker)
        {
            string topic = Cli.Unique("sys");
            await using PeerProcess subscriber = await Cli.SubscribedAsync(endpoint, "--topic", topic, "--name", "sys-watcher");

            await using PeerProcess subs = PeerProcess.Start("Mq.Broker", ["subs", "--endpoint", endpoint, "--json"]);
            Assert.Equal(0, (await Cli.RunAsync(subs)).ExitCode);
            using JsonDocument json = JsonDocument.Parse(string.Join("\n", subs.StandardOutput));
            JsonElement sub = Assert.Single(json.RootElement.GetProperty("subs").EnumerateArray());
            Assert.Equal(topic, sub.GetProperty("pattern").GetString());
            Assert.Equal("sys-watcher", sub.GetProperty("peer").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("omitted").GetInt32());

            await using PeerProcess peers = PeerProcess.Start("Mq.Broker", ["peers", "--endpoint", endpoint]);
            Assert.Equal(0, (await Cli.RunAsync(peers)).ExitCode);
            Assert.StartsWith("name ", peers.StandardOutput[0]);
            Assert.Contains(peers.StandardOutput, line => line.StartsWith("sys-watcher ", StringComparison.Ordinal) && line.Contains("127.0.0.1"));
            Assert.Equal("2 peers", peers.StandardOutput[^1]);
        }
    }

    [Fact]
    public async Task Under_a_policy_an_identity_without_the_right_is_refused_and_one_with_it_is_answered()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync();

        await using PeerProcess guest = PeerProcess.Start("Mq.Broker", ["stats", "--endpoint", broker.Endpoint, .. As(broker, "guest")]);
        Assert.Equal(1, (await Cli.RunAsync(guest)).ExitCode);
        Assert.Contains("request '$SYS.stats' is not allowed for identity 'guest'", Assert.Single(guest.StandardError));

        await using PeerProcess trusted = PeerProcess.Start("Mq.Broker", ["info", "--endpoint", broker.Endpoint, .. As(broker, "trusted")]);
        Assert.Equal(0, (await Cli.RunAsync(trusted)).ExitCode);
        Assert.Contains(trusted.StandardOutput, line => line.StartsWith("security ", StringComparison.Ordinal) && line.EndsWith("secure channel and policy", StringComparison.Ordinal));
        Assert.Contains(trusted.StandardOutput, line => line.StartsWith("endpoints ", StringComparison.Ordinal) && line.EndsWith(broker.Endpoint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broker_that_is_not_there_exits_2_with_one_line()
    {
        await using PeerProcess info = PeerProcess.Start("Mq.Broker", ["services", "--endpoint", Cli.UnusedEndpoint(), "--timeout", "2"]);

        Assert.Equal(2, (await Cli.RunAsync(info)).ExitCode);
        Assert.Contains("cannot reach the Mq broker", Assert.Single(info.StandardError));
        Assert.Empty(info.StandardOutput);
    }

    private static string[] As(SecuredBroker broker, string identity) =>
        ["--broker-key", "@" + broker.BrokerKeyFile, "--identity", identity, "--identity-key", broker.KeyFile(identity)];
}
