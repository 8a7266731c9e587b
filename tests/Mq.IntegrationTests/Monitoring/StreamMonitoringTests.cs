using System.Globalization;
using System.Text.Json;
using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Monitoring;

/// <summary>A broker executable with a stream: its figures in $SYS.stats, /api/stats and the Prometheus scrape.</summary>
public sealed class StreamMonitoringTests
{
    [Fact]
    public async Task The_stats_and_the_metrics_show_a_streams_messages_sequences_and_durable_consumers()
    {
        (PeerProcess process, string endpoint, Uri monitoring) = await BrokerProcess.StartMonitoredAsync(
            "--Broker:Streams:audit:Subjects:0=audit.>", "--Broker:Streams:audit:Storage=Memory");
        await using (process)
        {
            using var http = new HttpClient { BaseAddress = monitoring, Timeout = TimeSpan.FromSeconds(10) };
            await using MqClient client = await MqClient.ConnectAsync(endpoint, "stream-figures");
            for (int i = 1; i <= 5; i++)
            {
                await client.PublishDurableAsync("audit.login", new byte[] { (byte)i });
            }

            await using MqSubscription reader = await client.ConsumeAsync("audit", StreamStart.First, new ConsumeOptions { Durable = "siem", Shared = true });
            List<MqMessage> got = await reader.TakeAsync(5);
            await got[0].AckAsync();
            await got[1].AckAsync();

            // The floor is stored after the acknowledgements: wait for it, then every other figure is settled too.
            Dictionary<object, object> stream = null!;
            await Waits.UntilAsync(async () => Number((Consumer(stream = await StatsStreamAsync(client)))["ack_floor"]) == 2, "the floor at 2 in $SYS.stats");
            Assert.Equal("audit", stream["name"]);
            Assert.Equal(5, Number(stream["messages"]));
            Assert.True(Number(stream["bytes"]) > 5 * 32);
            Assert.Equal(1, Number(stream["first_seq"]));
            Assert.Equal(5, Number(stream["last_seq"]));
            Assert.Equal(1, Number(stream["consumers"]));
            Dictionary<object, object> consumer = Consumer(stream);
            Assert.Equal("siem", consumer["name"]);
            Assert.Equal(3, Number(consumer["unacknowledged"]));
            Assert.Equal(0, Number(consumer["pending"]));
            Assert.Equal(1, Number(consumer["members"]));

            using JsonDocument json = JsonDocument.Parse(await http.GetStringAsync("api/stats"));
            JsonElement viaHttp = json.RootElement.GetProperty("streams")[0];
            Assert.Equal(5, viaHttp.GetProperty("messages").GetInt64());
            Assert.Equal(3, viaHttp.GetProperty("durable_consumers")[0].GetProperty("unacknowledged").GetInt64());

            // The metrics publish a snapshot at most once a second: scrape until it has the floor.
            PrometheusText scrape = null!;
            await Waits.UntilAsync(
                async () => Series(scrape = PrometheusText.Parse(await http.GetStringAsync("metrics")), "mq_broker_stream_consumer_ack_floor", "consumer=\"siem\"") == 2,
                "mq_broker_stream_consumer_ack_floor at 2");
            Assert.Equal(5, Series(scrape, "mq_broker_stream_messages", "stream=\"audit\""));
            Assert.Equal(5, Series(scrape, "mq_broker_stream_last_seq", "stream=\"audit\""));
            Assert.Equal(1, Series(scrape, "mq_broker_stream_first_seq", "stream=\"audit\""));
            Assert.Equal(1, Series(scrape, "mq_broker_stream_consumers", "stream=\"audit\""));
            Assert.True(Series(scrape, "mq_broker_stream_size_bytes", "stream=\"audit\"") > 5 * 32);
            Assert.Equal(5, Series(scrape, "mq_broker_stream_stored_total", "stream=\"audit\""));
            Assert.Equal(3, Series(scrape, "mq_broker_stream_consumer_unacknowledged", "consumer=\"siem\""));
            Assert.Equal(0, Series(scrape, "mq_broker_stream_consumer_pending", "consumer=\"siem\""));
            Assert.Equal(1, Series(scrape, "mq_broker_stream_consumer_members", "consumer=\"siem\""));
            Assert.Equal("gauge", scrape.Types["mq_broker_stream_messages"]);
            Assert.Equal("counter", scrape.Types["mq_broker_stream_stored_total"]);
        }
    }

    private static async Task<Dictionary<object, object>> StatsStreamAsync(MqClient client)
    {
        MqReply reply = await client.RequestAsync("$SYS.stats", ReadOnlyMemory<byte>.Empty);
        var stats = MessagePackSerializer.Deserialize<Dictionary<string, object?>>(reply.Data);
        return Assert.Single(((object[])stats["streams"]!).Cast<Dictionary<object, object>>());
    }

    private static Dictionary<object, object> Consumer(Dictionary<object, object> stream) =>
        Assert.Single(((object[])stream["durable_consumers"]).Cast<Dictionary<object, object>>());

    private static long Number(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>The one series of <paramref name="family"/> whose labels include <paramref name="label"/>, or NaN when there is none.</summary>
    private static double Series(PrometheusText scrape, string family, string label) =>
        scrape.Series.Where(s => s.Key.StartsWith(family + "{", StringComparison.Ordinal) && s.Key.Contains(label, StringComparison.Ordinal))
            .Select(s => s.Value).DefaultIfEmpty(double.NaN).Single();
}
