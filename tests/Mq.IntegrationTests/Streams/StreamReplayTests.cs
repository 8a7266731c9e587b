using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>Consumers: stored messages from each start, then live ones, in order, with no gap or repeat at the switch.</summary>
public sealed class StreamReplayTests
{
    [Fact]
    public async Task A_consumer_from_the_start_gets_every_stored_message_then_the_new_ones()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 1, 5);

        await using MqSubscription consumer = await client.ConsumeAsync("orders", StreamStart.First);
        List<MqMessage> stored = await consumer.TakeAsync(5);
        await PublishAsync(client, 6, 7);
        List<MqMessage> live = await consumer.TakeAsync(2);

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (ulong)i), stored.Concat(live).Select(m => m.StreamSequence));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (byte)i), stored.Concat(live).Select(m => m.Data.Span[0]));
        Assert.All(stored.Concat(live), m => Assert.NotNull(m.StoredAt));
        Assert.Equal("orders.eu.created", stored[0].Subject);
    }

    [Fact]
    public async Task A_consumer_from_a_sequence_starts_there()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 1, 5);

        await using MqSubscription consumer = await client.ConsumeAsync("orders", StreamStart.AtSequence(3));
        List<MqMessage> stored = await consumer.TakeAsync(3);
        await PublishAsync(client, 6, 6);

        Assert.Equal([3UL, 4UL, 5UL, 6UL], stored.Concat(await consumer.TakeAsync(1)).Select(m => m.StreamSequence));
    }

    [Fact]
    public async Task A_consumer_of_new_messages_gets_only_what_is_stored_after_it_started()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 1, 5);

        await using MqSubscription consumer = await client.ConsumeAsync("orders", StreamStart.New);
        await PublishAsync(client, 6, 7);

        Assert.Equal([6UL, 7UL], (await consumer.TakeAsync(2)).Select(m => m.StreamSequence));
        Assert.True(await consumer.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_consumer_from_a_time_starts_at_the_first_message_stored_at_or_after_it()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 1, 20);
        await using MqSubscription all = await client.ConsumeAsync("orders", StreamStart.First);
        List<MqMessage> stored = await all.TakeAsync(20);
        DateTimeOffset time = stored[9].StoredAt!.Value;
        ulong expected = stored.First(m => m.StoredAt >= time).StreamSequence;

        await using MqSubscription fromTime = await client.ConsumeAsync("orders", StreamStart.AtTime(time));

        Assert.Equal(Enumerable.Range((int)expected, 21 - (int)expected).Select(i => (ulong)i), (await fromTime.TakeAsync(21 - (int)expected)).Select(m => m.StreamSequence));
    }

    [Fact]
    public async Task A_long_replay_through_a_small_window_arrives_whole_and_in_order_while_publishing_goes_on()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient reader = await broker.ConnectAsync("reader", configure: o => o with { SubscriptionCapacity = 16 });
        const int Stored = 3000, Live = 2000;
        for (int i = 0; i < Stored; i += 100)
        {
            await Task.WhenAll(Enumerable.Range(i, 100).Select(n => publisher.PublishDurableAsync("orders.eu.created", BitConverter.GetBytes(n)).AsTask()));
        }

        await using MqSubscription consumer = await reader.ConsumeAsync("orders", StreamStart.First);

        // Publishing goes on while the consumer replays: the switch from stored to live must lose and repeat nothing.
        Task publishing = Task.Run(async () =>
        {
            for (int n = Stored; n < Stored + Live; n++)
            {
                await publisher.PublishAsync("orders.eu.created", BitConverter.GetBytes(n));
            }

            await publisher.FlushAsync();
        });
        List<MqMessage> received = await consumer.TakeAsync(Stored + Live, TimeSpan.FromSeconds(60));
        await publishing;

        Assert.Equal(Enumerable.Range(1, Stored + Live).Select(i => (ulong)i), received.Select(m => m.StreamSequence));
        Assert.Equal(0, consumer.Dropped);
        Assert.True(await consumer.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Consuming_a_stream_that_does_not_exist_is_refused()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");

        MqException refused = await Assert.ThrowsAsync<MqException>(async () => await client.ConsumeAsync("nothing", StreamStart.First));

        Assert.Equal(ErrorCode.NoStream, refused.Code);
    }

    [Fact]
    public async Task A_consumer_goes_on_after_its_last_message_when_the_broker_restarts()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");
        await PublishAsync(client, 1, 3);
        // Not the broker's client: it must outlive the restart.
        await using MqClient reader = await MqClient.ConnectAsync(broker.Broker.ClientOptions("reader"));
        await using MqSubscription consumer = await reader.ConsumeAsync("orders", StreamStart.First);
        Assert.Equal([1UL, 2UL, 3UL], (await consumer.TakeAsync(3)).Select(m => m.StreamSequence));

        // The same folder and port: the reader's connection comes back to the new broker and restores its consumer.
        string endpoint = broker.Broker.Endpoint;
        await broker.RestartAsync(o => o.Broker.Endpoint = endpoint);
        MqClient again = await broker.ConnectAsync("client");
        await PublishAsync(again, 4, 5);

        Assert.Equal([4UL, 5UL], (await consumer.TakeAsync(2, TimeSpan.FromSeconds(20))).Select(m => m.StreamSequence));
    }

    private static async Task PublishAsync(MqClient client, int from, int to)
    {
        for (int i = from; i <= to; i++)
        {
            await client.PublishDurableAsync("orders.eu.created", new byte[] { (byte)i });
        }
    }
}
