using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Streams;

/// <summary>Shared durable consumers: several subscriptions read one durable consumer, each message to one of them.</summary>
public sealed class StreamSharedDurableTests
{
    private static readonly ConsumeOptions Shared = new() { Durable = "workers", Shared = true };

    [Fact]
    public async Task Three_members_share_the_work_with_no_duplicates_and_no_loss()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        var members = new List<MqSubscription>();
        for (int i = 0; i < 3; i++)
        {
            MqClient client = await broker.ConnectAsync($"worker-{i}");
            members.Add(await client.ConsumeAsync("orders", StreamStart.First, Shared));
        }

        await PublishAsync(publisher, 60);
        List<MqMessage>[] got = await DrainAsync(members, 60, ack: true);

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (ulong)i), got.SelectMany(m => m).Select(m => m.StreamSequence).Order());
        Assert.All(got, share => Assert.NotEmpty(share));
        Assert.All(got.SelectMany(m => m), m => Assert.Equal(1, m.Deliveries));
        await Waits.UntilAsync(async () => await AckFloorAsync(publisher) == 60, "the shared floor at 60");
        foreach (MqSubscription member in members)
        {
            Assert.True(await member.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
        }
    }

    [Fact]
    public async Task A_member_whose_window_is_full_gets_no_more_and_the_others_take_the_rest()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient stuck = await broker.ConnectAsync("stuck", configure: o => o with { SubscriptionCapacity = 2 });
        MqClient busy = await broker.ConnectAsync("busy");
        await using MqSubscription slow = await stuck.ConsumeAsync("orders", StreamStart.First, Shared);
        await using MqSubscription fast = await busy.ConsumeAsync("orders", StreamStart.First, Shared);

        await PublishAsync(publisher, 20);
        List<MqMessage> held = await slow.TakeAsync(2);
        List<MqMessage> rest = await fast.TakeAsync(18);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (ulong)i), held.Concat(rest).Select(m => m.StreamSequence).Order());
        Assert.True(await slow.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Acknowledgements_from_several_members_advance_the_floor_kept_across_a_broker_restart()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient a = await broker.ConnectAsync("a");
        MqClient b = await broker.ConnectAsync("b");
        List<MqSubscription> members = [await a.ConsumeAsync("orders", StreamStart.First, Shared), await b.ConsumeAsync("orders", StreamStart.First, Shared)];
        await PublishAsync(publisher, 10);

        List<MqMessage>[] got = await DrainAsync(members, 10, ack: true);
        Assert.All(got, share => Assert.NotEmpty(share));
        await Waits.UntilAsync(async () => await AckFloorAsync(publisher) == 10, "the floor both members' acknowledgements make stored");

        await broker.RestartAsync();
        publisher = await broker.ConnectAsync("publisher");
        await PublishAsync(publisher, 2);
        MqClient c = await broker.ConnectAsync("c");
        await using MqSubscription again = await c.ConsumeAsync("orders", StreamStart.First, Shared);

        Assert.Equal([11UL, 12UL], (await again.TakeAsync(2)).Select(m => m.StreamSequence));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_member_that_leaves_hands_what_it_did_not_acknowledge_to_another_at_once(bool disconnects)
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient leaving = await broker.ConnectAsync("leaving");
        MqClient staying = await broker.ConnectAsync("staying");
        // An ack wait far beyond the test's timeouts: only the hand-over can bring the messages back in time.
        ConsumeOptions options = Shared with { AckWait = TimeSpan.FromMinutes(5) };
        MqSubscription dropped = await leaving.ConsumeAsync("orders", StreamStart.First, options);
        await using MqSubscription stays = await staying.ConsumeAsync("orders", StreamStart.First, options);

        await PublishAsync(publisher, 6);
        List<MqMessage>[] got = await DrainAsync([dropped, stays], 6, ack: false, ackOnly: stays);
        ulong[] unacknowledged = got[0].Select(m => m.StreamSequence).ToArray();
        Assert.NotEmpty(unacknowledged);

        // Its connection closing, or only its subscription (UNSUB) while the client stays.
        await (disconnects ? leaving.DisposeAsync() : dropped.DisposeAsync());
        List<MqMessage> handedOver = await stays.TakeAsync(unacknowledged.Length, TimeSpan.FromSeconds(5));

        Assert.Equal(unacknowledged, handedOver.Select(m => m.StreamSequence).Order());
        Assert.All(handedOver, m => Assert.Equal(2, m.Deliveries));
        foreach (MqMessage message in handedOver)
        {
            await message.AckAsync();
        }

        await Waits.UntilAsync(async () => await AckFloorAsync(publisher) == 6, "the floor at 6 once the hand-over is acknowledged");
    }

    [Fact]
    public async Task A_delivery_past_its_ack_wait_goes_to_another_member_and_after_the_last_to_the_dead_letter_subject()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        await using MqSubscription dead = await publisher.SubscribeAsync("dead.workers");
        ConsumeOptions options = Shared with { AckWait = TimeSpan.FromMilliseconds(300), MaxDeliveries = 2, DeadLetter = "dead.workers" };
        MqClient a = await broker.ConnectAsync("a");
        MqClient b = await broker.ConnectAsync("b");
        List<MqSubscription> members = [await a.ConsumeAsync("orders", StreamStart.First, options), await b.ConsumeAsync("orders", StreamStart.First, options)];

        await PublishAsync(publisher, 1);
        List<MqMessage>[] got = await DrainAsync(members, 2, ack: false);

        // Neither acknowledges: the first delivery went to one member, the second to the other one.
        Assert.All(got, share => Assert.Equal(1UL, Assert.Single(share).StreamSequence));
        Assert.Equal([1, 2], got.Select(share => share[0].Deliveries).Order());
        MqMessage letter = Assert.Single(await dead.TakeAsync(1));
        Assert.Equal("2", letter.Headers!["mq-dead-deliveries"]);
        Assert.Equal("1", letter.Headers["mq-dead-seq"]);
        foreach (MqSubscription member in members)
        {
            Assert.True(await member.StaysEmptyAsync(TimeSpan.FromMilliseconds(400)));
        }
    }

    [Fact]
    public async Task A_subscription_asking_for_other_settings_is_refused_and_changes_nothing()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient publisher = await broker.ConnectAsync("publisher");
        MqClient first = await broker.ConnectAsync("first");
        MqClient second = await broker.ConnectAsync("second");
        await using MqSubscription member = await first.ConsumeAsync("orders", StreamStart.First, Shared with { MaxDeliveries = 5 });

        Errors.MqException mismatch = await Assert.ThrowsAsync<Errors.MqException>(async () => await second.ConsumeAsync("orders", StreamStart.First, Shared with { MaxDeliveries = 3 }));
        Errors.MqException alone = await Assert.ThrowsAsync<Errors.MqException>(async () => await second.ConsumeAsync("orders", StreamStart.First, new ConsumeOptions { Durable = "workers", MaxDeliveries = 5 }));

        Assert.Equal(Protocol.ErrorCode.Conflict, mismatch.Code);
        Assert.Contains("max_deliveries 5, not 3", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(Protocol.ErrorCode.Conflict, alone.Code);
        Assert.Contains("every subscription of a shared durable consumer asks to share it", alone.Message, StringComparison.Ordinal);
        Dictionary<object, object> consumer = await ConsumerInfoAsync(publisher);
        Assert.Equal(1, Convert.ToInt32(consumer["members"], System.Globalization.CultureInfo.InvariantCulture));
        await PublishAsync(publisher, 2);
        Assert.Equal([1UL, 2UL], (await member.TakeAsync(2)).Select(m => m.StreamSequence));
    }

    /// <summary>
    /// Reads the members in parallel until <paramref name="count"/> messages came in all, acknowledging each (with
    /// <paramref name="ack"/>, or only those of <paramref name="ackOnly"/>); what each member got, in member order.
    /// </summary>
    private static async Task<List<MqMessage>[]> DrainAsync(IReadOnlyList<MqSubscription> members, int count, bool ack, MqSubscription? ackOnly = null)
    {
        var got = members.Select(_ => new List<MqMessage>()).ToArray();
        int total = 0;
        using var cts = new CancellationTokenSource(Waits.Default);
        await Task.WhenAll(members.Select(async (member, index) =>
        {
            try
            {
                while (Volatile.Read(ref total) < count && await member.Reader.WaitToReadAsync(cts.Token))
                {
                    while (member.Reader.TryRead(out MqMessage? message))
                    {
                        got[index].Add(message);
                        if (ack || member == ackOnly)
                        {
                            await message.AckAsync();
                        }

                        if (Interlocked.Increment(ref total) == count)
                        {
                            await cts.CancelAsync();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (Volatile.Read(ref total) >= count)
            {
                // Every message came: the other readers stop waiting.
            }
        }));
        if (total != count)
        {
            throw new TimeoutException($"the members got {total} of {count} messages in time");
        }

        return got;
    }

    private static async Task<Dictionary<object, object>> ConsumerInfoAsync(MqClient client)
    {
        Dictionary<string, object?> info = await StreamBroker.AdminAsync(client, StreamNames.Info, new() { ["name"] = "orders" });
        return ((object[])info["durable_consumers"]!).Cast<Dictionary<object, object>>().Single(d => (string)d["name"] == "workers");
    }

    private static async Task<long> AckFloorAsync(MqClient client) =>
        Convert.ToInt64((await ConsumerInfoAsync(client))["ack_floor"], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task PublishAsync(MqClient client, int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await client.PublishDurableAsync("orders.eu.created", new byte[] { (byte)i });
        }
    }
}
