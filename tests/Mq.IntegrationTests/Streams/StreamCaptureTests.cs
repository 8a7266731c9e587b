using Mq.Broker.Persistence;
using Mq.Broker.Streams;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>Capture and durable acknowledgements: what a stream stores, what a durable publisher is told, duplicates.</summary>
public sealed class StreamCaptureTests
{
    [Fact]
    public async Task Durable_publishes_are_acknowledged_with_consecutive_sequences_and_plain_ones_are_captured_too()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient subscriber = await broker.ConnectAsync("subscriber");
        await using MqSubscription live = await subscriber.SubscribeAsync("orders.>");

        DurableAck first = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 });
        DurableAck second = await publisher.PublishDurableAsync("orders.us.created", new byte[] { 2 });
        await publisher.PublishAsync("orders.eu.cancelled", new byte[] { 3 });
        DurableAck fourth = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 4 });

        Assert.Equal(new DurableAck("orders", 1, false), first);
        Assert.Equal(new DurableAck("orders", 2, false), second);
        Assert.Equal(new DurableAck("orders", 4, false), fourth);
        Assert.Equal(4, await StreamBroker.MessagesAsync(publisher, "orders"));

        // Durable or not, a publish is routed to live subscribers as before.
        Assert.Equal([1, 2, 3, 4], (await live.TakeAsync(4)).Select(m => (int)m.Data.Span[0]));
    }

    [Fact]
    public async Task A_durable_publish_no_stream_captures_is_refused_and_still_routed()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        await using MqSubscription live = await publisher.SubscribeAsync("invoices.>");

        MqException refused = await Assert.ThrowsAsync<MqException>(async () => await publisher.PublishDurableAsync("invoices.new", new byte[] { 1 }));

        Assert.Equal(ErrorCode.NoStream, refused.Code);
        Assert.Contains("invoices.new", refused.Message, StringComparison.Ordinal);
        Assert.Single(await live.TakeAsync(1));
    }

    [Fact]
    public async Task A_repeated_message_id_gets_the_first_sequence_flagged_duplicate_and_is_stored_once()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");

        DurableAck original = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 }, messageId: "order-1");
        DurableAck repeat = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 }, messageId: "order-1");

        // Sent together: the second arrives while the first is still being written, and waits for its sequence.
        ValueTask<DurableAck> a = publisher.PublishDurableAsync("orders.eu.created", new byte[] { 2 }, messageId: "order-2");
        ValueTask<DurableAck> b = publisher.PublishDurableAsync("orders.eu.created", new byte[] { 2 }, messageId: "order-2");
        (DurableAck racedFirst, DurableAck racedSecond) = (await a, await b);

        Assert.Equal(new DurableAck("orders", 1, false), original);
        Assert.Equal(new DurableAck("orders", 1, true), repeat);
        Assert.Equal(new DurableAck("orders", 2, false), racedFirst);
        Assert.Equal(new DurableAck("orders", 2, true), racedSecond);
        Assert.Equal(2, await StreamBroker.MessagesAsync(publisher, "orders"));
    }

    [Fact]
    public async Task Message_ids_are_remembered_across_a_broker_restart()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        DurableAck original = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 }, messageId: "order-1");

        await broker.RestartAsync();
        publisher = await broker.ConnectAsync("publisher");
        DurableAck retried = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 }, messageId: "order-1");
        DurableAck next = await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 2 }, messageId: "order-2");

        Assert.Equal(new DurableAck("orders", original.Sequence, true), retried);
        Assert.Equal(new DurableAck("orders", 2, false), next);
    }

    [Fact]
    public async Task A_full_stream_that_refuses_new_messages_says_so_and_keeps_what_it_holds()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(o =>
            o.Broker.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"], MaxMessages = 3, Discard = DiscardPolicy.New });
        MqClient publisher = await broker.ConnectAsync("publisher");
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal((ulong)i, (await publisher.PublishDurableAsync("orders.eu.created", new byte[] { (byte)i })).Sequence);
        }

        MqException full = await Assert.ThrowsAsync<MqException>(async () => await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 4 }));

        Assert.Equal(ErrorCode.StreamFull, full.Code);
        Assert.Contains("MaxMessages 3", full.Message, StringComparison.Ordinal);
        Assert.Equal(3, await StreamBroker.MessagesAsync(publisher, "orders"));
        Dictionary<string, object?> info = await StreamBroker.AdminAsync(publisher, StreamNames.Info, new() { ["name"] = "orders" });
        Assert.Equal(1L, Convert.ToInt64(info["refused"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_stream_that_discards_old_messages_keeps_the_newest()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(o =>
            o.Broker.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"], MaxMessages = 2, Storage = StreamStorage.Memory });
        MqClient client = await broker.ConnectAsync("client");
        for (int i = 1; i <= 5; i++)
        {
            await client.PublishDurableAsync("orders.eu.created", new byte[] { (byte)i });
        }

        await using MqSubscription replay = await client.ConsumeAsync("orders", StreamStart.First);
        Assert.Equal([4UL, 5UL], (await replay.TakeAsync(2)).Select(m => m.StreamSequence));
    }
}
