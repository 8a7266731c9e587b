using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>Each connection's outbound queue is bounded in bytes: a peer that stops reading large deliveries costs the broker process little.</summary>
public sealed class OutboundQueueMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_stuck_subscriber_of_1_MB_payloads_keeps_the_broker_under_idle_plus_256_MB_while_a_healthy_one_gets_everything()
    {
        // The stuck peer sends no heartbeats, so the broker is told to wait longer than a loaded machine may take.
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", "--Broker:PeerTimeout=00:05:00");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
            await using MqClient healthy = await MqClient.ConnectAsync(endpoint, "healthy");
            await using MqSubscription fast = await healthy.SubscribeAsync("big");
            using var stuck = new RawPeer(endpoint, s => s.Options.ReceiveHighWatermark = 2);
            stuck.Handshake("stuck");
            stuck.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "big", null));
            stuck.Expect(CommandCode.Ok);
            long rssIdle = ProcStatus.RssKb(broker.Id);

            // 400 MB for the stuck peer, paced by the healthy one; the stuck one reads nothing from here on.
            const int count = 400;
            const int chunk = 10;
            byte[] payload = new byte[1_000_000];
            long rssPeak = rssIdle;
            for (int sent = 0; sent < count; sent += chunk)
            {
                for (int i = 0; i < chunk; i++)
                {
                    await publisher.PublishAsync("big", payload);
                }

                await fast.TakeAsync(chunk, TimeSpan.FromSeconds(30));
                rssPeak = Math.Max(rssPeak, ProcStatus.RssKb(broker.Id));
            }

            output.WriteLine($"broker RSS {rssIdle / 1024} MB idle, peak {rssPeak / 1024} MB while {count} MB went to a stuck subscriber");
            Assert.Equal(0, fast.Dropped);
            Assert.True(rssPeak - rssIdle < 256 * 1024, $"RSS grew by {(rssPeak - rssIdle) / 1024} MB");

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
