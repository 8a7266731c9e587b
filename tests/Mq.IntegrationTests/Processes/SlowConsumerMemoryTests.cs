using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>A subscriber that reads nothing cannot make the broker process hold what is sent to it.</summary>
public sealed class SlowConsumerMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_brokers_memory_stays_bounded_while_200_MB_are_sent_to_a_stuck_subscriber()
    {
        // The broker runs with a 128 MiB managed heap limit: had it kept what the stuck subscriber could not take,
        // it would die of out-of-memory long before 200 MB. RSS is printed, not asserted: it counts garbage too.
        var heapLimit = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x8000000" };
        // The stuck peer sends no heartbeats, so the broker is told to wait longer than a loaded machine may take.
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync(
            "tcp://127.0.0.1:0", heapLimit, "--Broker:SendQueueBytes=2097152", "--Broker:PeerTimeout=00:05:00");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
            await using MqClient healthy = await MqClient.ConnectAsync(endpoint, "healthy");
            await using MqSubscription fast = await healthy.SubscribeAsync("flood");
            using var stuck = new RawPeer(endpoint, s => s.Options.ReceiveHighWatermark = 4);
            stuck.Handshake("stuck");
            stuck.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
            stuck.Expect(CommandCode.Ok);
            long rssBefore = ProcStatus.RssKb(broker.Id);

            const int count = 12_800;
            const int chunk = 100;
            byte[] payload = new byte[16 * 1024];
            long rssPeak = rssBefore;
            for (int sent = 0; sent < count; sent += chunk)
            {
                for (int i = 0; i < chunk; i++)
                {
                    await publisher.PublishAsync("flood", payload);
                }

                await fast.TakeAsync(chunk);
                rssPeak = Math.Max(rssPeak, ProcStatus.RssKb(broker.Id));
            }

            output.WriteLine($"broker RSS {rssBefore / 1024} MB before, peak {rssPeak / 1024} MB while {count * 16 / 1024} MB went to a stuck subscriber");
            Assert.Equal(0, fast.Dropped);
            Assert.False(broker.HasExited, $"the broker died:\n{broker.Output}");

            // And the stuck one, once it reads, accounts for every message: delivered or reported dropped.
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

            Assert.False(broker.HasExited);
        }
    }
}
