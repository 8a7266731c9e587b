using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// A subscriber that stops reading cannot make the broker process hold what is sent to it: each connection's
/// outbound queue is bounded in bytes, so its deliveries are dropped (and reported) instead, while a healthy
/// subscriber of the same subject gets everything.
/// </summary>
public sealed class SlowConsumerMemoryTests(ITestOutputHelper output)
{
    private const long RssBoundKb = 256 * 1024;

    /// <summary>
    /// 200 MB of 16 KiB messages, with the broker's managed heap limited to 128 MiB (had it kept what the stuck
    /// subscriber could not take, it would die of out-of-memory long before), and 400 MB of 1 MB messages, the
    /// attack of issue #11 (without the byte bound, 1,000 queued frames of 1 MB each).
    /// </summary>
    [Theory]
    [InlineData(16 * 1024, 12_800, 100, true)]
    [InlineData(1_000_000, 400, 10, false)]
    public async Task A_stuck_subscriber_keeps_the_broker_under_idle_plus_256_MB_while_a_healthy_one_gets_everything(
        int payloadBytes, int count, int chunk, bool heapLimit)
    {
        var environment = heapLimit ? new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" } : null;

        // The stuck peer sends no heartbeats, so the broker is told to wait longer than a loaded machine may take.
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", environment, "--Broker:PeerTimeout=00:05:00");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
            await using MqClient healthy = await MqClient.ConnectAsync(endpoint, "healthy");
            await using MqSubscription fast = await healthy.SubscribeAsync("flood");
            using var stuck = new RawPeer(endpoint, s => s.Options.ReceiveHighWatermark = 2);
            stuck.Handshake("stuck");
            stuck.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
            stuck.Expect(CommandCode.Ok);
            long rssIdle = ProcStatus.RssKb(broker.Id);

            // Paced by the healthy subscriber; the stuck one reads nothing from here on.
            byte[] payload = new byte[payloadBytes];
            long rssPeak = rssIdle;
            for (int sent = 0; sent < count; sent += chunk)
            {
                for (int i = 0; i < chunk; i++)
                {
                    await publisher.PublishAsync("flood", payload);
                }

                await fast.TakeAsync(chunk, TimeSpan.FromSeconds(30));
                rssPeak = Math.Max(rssPeak, ProcStatus.RssKb(broker.Id));
            }

            output.WriteLine($"broker RSS {rssIdle / 1024} MB idle, peak {rssPeak / 1024} MB while {(long)count * payloadBytes / 1_000_000} MB went to a stuck subscriber");
            Assert.Equal(0, fast.Dropped);
            Assert.True(rssPeak - rssIdle < RssBoundKb, $"RSS grew by {(rssPeak - rssIdle) / 1024} MB");
            Assert.False(broker.HasExited, $"the broker died:\n{broker.Output}");

            // Once it reads, the stuck one accounts for every message: delivered, or reported dropped with DROPPED.
            var tally = new DeliveryTally();
            try
            {
                await Waits.UntilAsync(
                    () => Task.FromResult(tally.ReadFrom(stuck).Delivered + tally.ReportedDropped == count),
                    "the stuck subscriber's deliveries and reported drops adding up to everything", TimeSpan.FromSeconds(60));
            }
            finally
            {
                output.WriteLine($"the stuck subscriber: {tally.Delivered} delivered, {tally.ReportedDropped} reported dropped, of {count}");
            }

            Assert.True(tally.ReportedDropped > 0);
            Assert.False(broker.HasExited, broker.Output);
        }
    }
}
