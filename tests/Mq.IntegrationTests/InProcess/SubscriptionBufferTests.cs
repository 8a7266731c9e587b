using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

/// <summary>A plain subscription's buffer, bounded in messages and in bytes: what it absorbs and what it reports.</summary>
public sealed class SubscriptionBufferTests : IAsyncLifetime
{
    private readonly InProcessBroker _broker = new();
    private MqClient _publisher = null!;

    public async Task InitializeAsync() => _publisher = await _broker.ConnectAsync("publisher");

    public async Task DisposeAsync() => await _broker.DisposeAsync();

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
