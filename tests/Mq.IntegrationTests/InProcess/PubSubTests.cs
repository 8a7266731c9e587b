using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

public sealed class PubSubTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;
    private MqClient _publisher = null!;
    private MqClient _subscriber = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync();
        _publisher = await _broker.ConnectAsync("publisher");
        _subscriber = await _broker.ConnectAsync("subscriber");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_message_published_right_after_subscribe_returns_is_never_missed()
    {
        // Each round subscribes on a fresh subject and publishes at once: a race would lose some.
        for (int round = 0; round < 50; round++)
        {
            await using MqSubscription subscription = await _subscriber.SubscribeAsync($"race.{round}");
            await _publisher.PublishAsync($"race.{round}", round);
            MqMessage message = (await subscription.TakeAsync(1)).Single();
            Assert.Equal(round, message.Deserialize<int>());
        }
    }

    [Theory]
    [InlineData("orders.*.created", "orders.eu.created", true)]
    [InlineData("orders.*.created", "orders.eu.west.created", false)]
    [InlineData("orders.>", "orders.eu.west.created", true)]
    [InlineData("orders.>", "orders", false)]
    [InlineData("*.eu.>", "orders.eu.created", true)]
    [InlineData("orders.eu.created", "orders.eu.created", true)]
    [InlineData("orders.eu.created", "orders.eu.cancelled", false)]
    public async Task Wildcard_subscriptions_match_as_documented(string pattern, string subject, bool delivered)
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync(pattern);
        await using MqSubscription marker = await _subscriber.SubscribeAsync("marker");
        await _publisher.PublishAsync(subject, "payload");
        await _publisher.PublishAsync("marker", "after");

        // The marker was published after the probe on the same connection, so once it arrives the probe has too.
        await marker.TakeAsync(1);
        Assert.Equal(delivered, subscription.Reader.TryRead(out MqMessage? message));
        if (delivered)
        {
            Assert.Equal(subject, message!.Subject);
        }
    }

    [Fact]
    public async Task Queue_group_members_split_messages_while_plain_subscribers_get_all()
    {
        MqClient second = await _broker.ConnectAsync("subscriber-2");
        await using MqSubscription plain = await _subscriber.SubscribeAsync("jobs.>");
        await using MqSubscription memberA = await _subscriber.SubscribeAsync("jobs.>", queueGroup: "workers");
        await using MqSubscription memberB = await second.SubscribeAsync("jobs.*", queueGroup: "workers");

        const int count = 200;
        for (int i = 0; i < count; i++)
        {
            await _publisher.PublishAsync("jobs.run", i);
        }

        Assert.Equal(count, (await plain.TakeAsync(count)).Count);
        await Waits.UntilAsync(() => Task.FromResult(memberA.Received + memberB.Received == count), "all group messages delivered");
        Assert.Equal(count / 2, memberA.Received);
        Assert.Equal(count / 2, memberB.Received);
    }

    [Fact]
    public async Task Messages_of_one_publisher_arrive_in_publish_order_per_subject()
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("seq.*");
        const int perSubject = 5_000;
        for (int i = 0; i < perSubject; i++)
        {
            await _publisher.PublishAsync("seq.a", i);
            await _publisher.PublishAsync("seq.b", i);
        }

        List<MqMessage> messages = await subscription.TakeAsync(perSubject * 2, TimeSpan.FromSeconds(30));
        foreach (string subject in new[] { "seq.a", "seq.b" })
        {
            int[] values = messages.Where(m => m.Subject == subject).Select(m => m.Deserialize<int>()).ToArray();
            Assert.Equal(Enumerable.Range(0, perSubject), values);
        }

        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public async Task Headers_and_raw_payloads_travel_unchanged()
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("raw");
        byte[] payload = [0, 1, 2, 0xC1, 0xFF];
        var headers = new Dictionary<string, string> { ["correlation-id"] = "abc-123", ["traceparent"] = "00-1-2-01" };
        await _publisher.PublishAsync("raw", payload.AsMemory(), headers);

        MqMessage message = (await subscription.TakeAsync(1)).Single();
        Assert.Equal(payload, message.Data.ToArray());
        Assert.Equal(headers, message.Headers);
        Assert.Equal(1UL, message.Sequence);
    }

    [Fact]
    public async Task Typed_contracts_round_trip()
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("orders.created");
        var order = new OrderCreated { Id = 42, Customer = "ada", Lines = ["book", "pen"] };
        await _publisher.PublishAsync("orders.created", order);

        OrderCreated received = (await subscription.TakeAsync(1)).Single().Deserialize<OrderCreated>();
        Assert.Equal(order.Id, received.Id);
        Assert.Equal(order.Customer, received.Customer);
        Assert.Equal(order.Lines, received.Lines);
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData("a.*")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData(".a")]
    public async Task Publishing_to_an_invalid_subject_fails_clearly(string subject)
    {
        InvalidSubjectException error = await Assert.ThrowsAsync<InvalidSubjectException>(async () => await _publisher.PublishAsync(subject, 1));
        Assert.Contains("subject", error.Message);
    }

    [Theory]
    [InlineData("a.>.b")]
    [InlineData("a.b*")]
    [InlineData("a.\tb")]
    public async Task Subscribing_to_an_invalid_pattern_fails_clearly(string pattern)
    {
        await Assert.ThrowsAsync<InvalidSubjectException>(async () => await _subscriber.SubscribeAsync(pattern));
    }

    [Fact]
    public async Task Handler_form_receives_every_message_in_order()
    {
        var received = new List<int>();
        var done = new TaskCompletionSource();
        await using MqSubscription subscription = await _subscriber.SubscribeAsync<int>("handled", (value, _, _) =>
        {
            received.Add(value);
            if (received.Count == 100)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        for (int i = 0; i < 100; i++)
        {
            await _publisher.PublishAsync("handled", i);
        }

        await done.Task.WaitAsync(Waits.Default);
        Assert.Equal(Enumerable.Range(0, 100), received);
    }

    [Fact]
    public async Task Unsubscribed_subscription_receives_nothing_more_and_its_enumeration_ends()
    {
        MqSubscription subscription = await _subscriber.SubscribeAsync("gone");
        await subscription.DisposeAsync();
        await using MqSubscription marker = await _subscriber.SubscribeAsync("marker");
        await _publisher.PublishAsync("gone", 1);
        await _publisher.PublishAsync("marker", 1);
        await marker.TakeAsync(1);

        Assert.False(subscription.Reader.TryRead(out _));
        Assert.True(subscription.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task Disposing_a_publisher_drains_everything_it_queued()
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("drain");
        MqClient publisher = await _broker.ConnectAsync("short-lived");
        const int count = 20_000;
        for (int i = 0; i < count; i++)
        {
            await publisher.PublishAsync("drain", i);
        }

        await publisher.DisposeAsync();
        List<MqMessage> messages = await subscription.TakeAsync(count, TimeSpan.FromSeconds(30));
        Assert.Equal(count - 1, messages[^1].Deserialize<int>());
    }

    [Fact]
    public async Task A_full_outbox_fails_publishes_clearly_when_configured_to()
    {
        await using var broker = await InProcessBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("impatient", o => o with { OutboxCapacityBytes = 4096, OutboxFullMode = OutboxFullMode.Fail });
        Task<string> disconnected = client.NextStateAsync(ConnectionState.Disconnected);
        await broker.Server.StopAsync();
        await disconnected.WaitAsync(Waits.Default);

        // While disconnected nothing leaves the outbox, so it fills: the publish that does not fit fails.
        MqException error = await Assert.ThrowsAsync<MqException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await client.PublishAsync("queued", new byte[1024]);
            }
        });
        Assert.Equal(Mq.Protocol.ErrorCode.LimitExceeded, error.Code);
        Assert.Contains("outbox is full", error.Message);
    }

    [Fact]
    public async Task A_full_local_buffer_is_reported_never_silent()
    {
        MqClient small = await _broker.ConnectAsync("small-buffer", o => o with { SubscriptionCapacity = 10 });
        await using MqSubscription subscription = await small.SubscribeAsync("flood");
        // Events run on the thread pool and may overtake each other, so what is checked is that their counts add
        // up to every drop, not which one comes last.
        var reported = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long total = 0;
        subscription.MessagesDropped += (_, e) =>
        {
            long sum = Interlocked.Add(ref total, e.Count);
            if (sum >= 90)
            {
                reported.TrySetResult(sum);
            }
        };

        for (int i = 0; i < 100; i++)
        {
            await _publisher.PublishAsync("flood", i);
        }

        Assert.Equal(90, await reported.Task.WaitAsync(Waits.Default));
        Assert.Equal(90, subscription.Dropped);
        Assert.Equal(10, subscription.Received);
    }

    [Fact]
    public async Task The_default_buffer_absorbs_a_burst_larger_than_the_old_message_count_bound()
    {
        // 100,000 messages of 128 B reach a subscription that reads nothing until the burst is over: with the former
        // bound of 65,536 messages the rest were dropped; the byte bound (64 MiB) holds them all.
        const int Burst = 100_000;
        await using MqClient subscriber = await _broker.ConnectAsync("idle-reader");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("burst");
        byte[] payload = new byte[128];
        for (int i = 0; i < Burst; i++)
        {
            await _publisher.PublishAsync("burst", payload);
        }

        await _publisher.FlushAsync();

        List<MqMessage> received = await subscription.TakeAsync(Burst);
        Assert.Equal(Burst, received.Count);
        Assert.Equal(0, subscription.Dropped);
        Assert.Equal((ulong)Burst, received[^1].Sequence);
    }

    [Fact]
    public async Task Past_its_byte_bound_a_plain_subscription_drops_and_reports_and_reading_makes_room_again()
    {
        // Each message counts 1,024 payload bytes plus its 5-byte subject: nine fit in 10 KiB, the tenth does not.
        await using MqClient subscriber = await _broker.ConnectAsync("small-bytes", o => o with { SubscriptionBufferBytes = 10 * 1024 });
        await using MqSubscription subscription = await subscriber.SubscribeAsync("bytes");
        var reported = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long total = 0;
        subscription.MessagesDropped += (_, e) =>
        {
            if (Interlocked.Add(ref total, e.Count) >= 91)
            {
                reported.TrySetResult(Interlocked.Read(ref total));
            }
        };

        for (int i = 0; i < 100; i++)
        {
            await _publisher.PublishAsync("bytes", new byte[1024]);
        }

        Assert.Equal(91, await reported.Task.WaitAsync(Waits.Default));
        Assert.Equal(9, subscription.Received);
        Assert.Equal(9, (await subscription.TakeAsync(9)).Count);

        await _publisher.PublishAsync("bytes", new byte[1024]);
        Assert.Equal(101ul, (await subscription.TakeAsync(1)).Single().Sequence);
        Assert.Equal(91, subscription.Dropped);
    }
}
