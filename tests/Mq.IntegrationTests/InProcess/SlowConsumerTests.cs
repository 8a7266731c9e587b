using MessagePack;
using Mq.Broker.Server;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.InProcess;

/// <summary>One subscriber stops reading: nobody else notices, and it is told exactly what it missed.</summary>
public sealed class SlowConsumerTests
{
    [Fact]
    public async Task A_stuck_subscriber_loses_only_its_own_messages_and_every_loss_is_reported()
    {
        await using var broker = await InProcessBroker.StartAsync(o =>
        {
            // Room for a whole chunk below (50 x 16 KiB), so the healthy subscriber never overflows; far too
            // little for the 48 MB the stuck one is sent.
            o.SendQueueBytes = 2 * 1024 * 1024;

            // The stuck peer sends no heartbeats: it must not be forgotten on a slow machine.
            o.PeerTimeout = TimeSpan.FromMinutes(5);
        });
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient healthy = await broker.ConnectAsync("healthy");
        await using MqSubscription fast = await healthy.SubscribeAsync("flood");

        using var stuck = new RawPeer(broker.Endpoint, s => s.Options.ReceiveHighWatermark = 4);
        stuck.Handshake("stuck");
        stuck.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
        stuck.Expect(CommandCode.Ok);

        // The stuck peer reads nothing from here on, while far more than its queues hold is published, at the
        // pace of the healthy subscriber (delivery is at most once: a burst beyond any queue would drop for it too).
        const int count = 3000;
        const int chunk = 50;
        byte[] payload = new byte[16 * 1024];
        for (int sent = 0; sent < count; sent += chunk)
        {
            for (int i = 0; i < chunk; i++)
            {
                await publisher.PublishAsync("flood", payload);
            }

            await fast.TakeAsync(chunk);
        }

        Assert.Equal(0, fast.Dropped);
        BrokerStats stats = await broker.Server.GetStatsAsync();
        Assert.True(stats.DroppedMessages > 0, "the stuck subscriber's queue never filled");

        // Now it reads again: what it receives plus what the broker says it dropped is everything.
        var tally = new DeliveryTally();
        await Waits.UntilAsync(
            () => Task.FromResult(tally.ReadFrom(stuck).Delivered + stats.DroppedMessages >= count && tally.DroppedUpTo > 0),
            "the stuck subscriber's deliveries and the DROPPED advisory adding up", TimeSpan.FromSeconds(30));

        Assert.Equal(count, tally.Delivered + stats.DroppedMessages);
        Assert.True(tally.DroppedUpTo > 0, "no DROPPED advisory arrived");
    }
}
