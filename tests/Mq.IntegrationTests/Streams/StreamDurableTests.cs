using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Streams;

/// <summary>Durable consumers: a position kept in the store, explicit acknowledgements, redelivery, dead letters.</summary>
public sealed class StreamDurableTests
{
    [Fact]
    public async Task A_durable_consumer_goes_on_after_what_it_acknowledged_when_it_comes_back()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 5);
        var durable = new ConsumeOptions { Durable = "billing" };

        await using (MqSubscription first = await client.ConsumeAsync("orders", StreamStart.First, durable))
        {
            foreach (MqMessage message in await first.TakeAsync(3))
            {
                Assert.Equal(1, message.Deliveries);
                await message.AckAsync();
            }
        }

        await using MqSubscription again = await client.ConsumeAsync("orders", StreamStart.First, durable);
        Assert.Equal([4UL, 5UL], (await again.TakeAsync(2)).Select(m => m.StreamSequence));
    }

    [Fact]
    public async Task A_durable_consumers_position_survives_a_broker_restart()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 5);
        var durable = new ConsumeOptions { Durable = "billing" };
        await using (MqSubscription first = await client.ConsumeAsync("orders", StreamStart.First, durable))
        {
            foreach (MqMessage message in await first.TakeAsync(2))
            {
                await message.AckAsync();
            }

            // The floor is written to the store after the acknowledgements: the restart must find it there.
            await Waits.UntilAsync(async () => await AckFloorAsync(client, "billing") == 2, "the acknowledged floor stored");
        }

        await broker.RestartAsync();
        client = await broker.ConnectAsync("client");
        await using MqSubscription again = await client.ConsumeAsync("orders", StreamStart.New, durable);

        Assert.Equal([3UL, 4UL, 5UL], (await again.TakeAsync(3)).Select(m => m.StreamSequence));
    }

    [Fact]
    public async Task A_new_durable_consumers_start_is_kept_even_before_its_first_acknowledgement()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 3);
        var durable = new ConsumeOptions { Durable = "late" };
        await using (await client.ConsumeAsync("orders", StreamStart.New, durable))
        {
            await Waits.UntilAsync(async () => await AckFloorAsync(client, "late") == 3, "the new consumer's start stored");
        }

        await broker.RestartAsync();
        client = await broker.ConnectAsync("client");
        await PublishAsync(client, 2);

        // Started at "new" before 4 and 5 were stored: it gets them, though it asks for "new" again now.
        await using MqSubscription again = await client.ConsumeAsync("orders", StreamStart.New, durable);
        Assert.Equal([4UL, 5UL], (await again.TakeAsync(2)).Select(m => m.StreamSequence));
    }

    [Fact]
    public async Task A_message_not_acknowledged_in_time_is_delivered_again_and_after_the_last_delivery_goes_to_the_dead_letter_subject()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await using MqSubscription dead = await client.SubscribeAsync("dead.orders");
        await client.PublishDurableAsync("orders.eu.created", new byte[] { 42 });
        var durable = new ConsumeOptions { Durable = "slow", AckWait = TimeSpan.FromMilliseconds(200), MaxDeliveries = 2, DeadLetter = "dead.orders" };

        await using MqSubscription consumer = await client.ConsumeAsync("orders", StreamStart.First, durable);
        List<MqMessage> deliveries = await consumer.TakeAsync(2);

        Assert.Equal([1UL, 1UL], deliveries.Select(m => m.StreamSequence));
        Assert.Equal([1, 2], deliveries.Select(m => m.Deliveries));
        MqMessage letter = Assert.Single(await dead.TakeAsync(1));
        Assert.Equal(new byte[] { 42 }, letter.Data.ToArray());
        Assert.Equal("2", letter.Headers!["mq-dead-deliveries"]);
        Assert.Equal("1", letter.Headers["mq-dead-seq"]);
        Assert.Equal("orders", letter.Headers["mq-dead-stream"]);
        Assert.Equal("orders.eu.created", letter.Headers["mq-dead-subject"]);

        // Given up on, it no longer holds the consumer back: the next message comes, and nothing is sent a third time.
        await client.PublishDurableAsync("orders.eu.created", new byte[] { 43 });
        MqMessage next = Assert.Single(await consumer.TakeAsync(1));
        Assert.Equal(2UL, next.StreamSequence);
        await next.AckAsync();
        Assert.True(await consumer.StaysEmptyAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Only_one_subscription_reads_a_durable_consumer_at_a_time()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        var durable = new ConsumeOptions { Durable = "billing" };
        await using MqSubscription first = await client.ConsumeAsync("orders", StreamStart.First, durable);

        Errors.MqException conflict = await Assert.ThrowsAsync<Errors.MqException>(async () => await client.ConsumeAsync("orders", StreamStart.First, durable));

        Assert.Equal(Protocol.ErrorCode.Conflict, conflict.Code);
    }

    private static async Task<long> AckFloorAsync(MqClient client, string durable)
    {
        Dictionary<string, object?> info = await StreamBroker.AdminAsync(client, StreamNames.Info, new() { ["name"] = "orders" });
        var consumer = ((object[])info["durable_consumers"]!).Cast<Dictionary<object, object>>().Single(d => (string)d["name"] == durable);
        return Convert.ToInt64(consumer["ack_floor"], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task PublishAsync(MqClient client, int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await client.PublishDurableAsync("orders.eu.created", new byte[] { (byte)i });
        }
    }
}
