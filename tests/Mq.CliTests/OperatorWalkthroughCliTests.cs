using System.Text.Json;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>
/// The operator's walkthrough of docs/observability.md, with the real executables: a broker started with monitoring
/// on, CLI peers, one of them a subscriber that stops reading; the operator finds it named with its drops in
/// /metrics, /api/peers and <c>Mq.Broker peers</c>.
/// </summary>
public sealed class OperatorWalkthroughCliTests
{
    [Fact]
    public async Task A_stalled_subscriber_is_named_with_its_drops_in_metrics_json_and_the_peers_table()
    {
        (PeerProcess broker, string endpoint, Uri monitoring) = await BrokerProcess.StartMonitoredAsync("--Broker:SendQueueBytes=65536", "--Broker:PeerTimeout=00:01:00");
        await using (broker)
        {
            using var http = new HttpClient { BaseAddress = monitoring, Timeout = Cli.Timeout };
            string topic = Cli.Unique("walkthrough");
            await using PeerProcess subscriber = await Cli.SubscribedAsync(endpoint, "--topic", topic, "--name", "walkthrough-reader");
            await subscriber.PauseAsync();
            try
            {
                await using PeerProcess publisher = Cli.Publisher(endpoint, topic, "--size", "128", "--count", "50000");
                Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

                // The metrics snapshot is at most a second old: wait for it to catch up with the drops.
                await Waiting.UntilAsync(async () => DroppedTotal(await http.GetStringAsync("metrics")) > 0, Cli.Timeout);

                using JsonDocument peers = JsonDocument.Parse(await http.GetStringAsync("api/peers"));
                JsonElement reader = peers.RootElement.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "walkthrough-reader");
                Assert.True(reader.GetProperty("slow_consumer").GetBoolean());
                Assert.InRange(reader.GetProperty("dropped_messages").GetInt64(), 1, 50_000);

                await using PeerProcess table = PeerProcess.Start("Mq.Broker", ["peers", "--endpoint", endpoint]);
                Assert.Equal(0, (await Cli.RunAsync(table)).ExitCode);
                string[] columns = table.StandardOutput[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string[] row = Assert.Single(table.StandardOutput, line => line.StartsWith("walkthrough-reader ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("yes", row[Array.IndexOf(columns, "slow_consumer")]);
                Assert.Equal(reader.GetProperty("dropped_messages").GetInt64(), long.Parse(row[Array.IndexOf(columns, "dropped_messages")]));
            }
            finally
            {
                subscriber.Resume();
            }
        }
    }

    private static double DroppedTotal(string metrics) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith("mq_broker_messages_dropped_total{", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
}
