using System.Buffers.Binary;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// A publisher much faster than a flow-controlled subscriber, through a real broker process: the publisher is
/// slowed down instead of anything being dropped, and every message arrives, once, in order.
/// </summary>
public sealed class FlowControlTests(ITestOutputHelper output)
{
    private const int Count = 20_000;

    [Fact]
    public async Task A_fast_publisher_is_held_to_the_pace_of_a_flow_controlled_subscriber_and_nothing_is_lost()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync(
            "tcp://127.0.0.1:0", "--Broker:PublisherCreditBytes=65536");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(
                MqClientOptions.Default with { Endpoint = endpoint, Name = "fast-publisher", OutboxCapacityBytes = 64 * 1024 });
            await using MqClient careful = await MqClient.ConnectAsync(
                MqClientOptions.Default with { Endpoint = endpoint, Name = "careful", SubscriptionCapacity = 100 });
            await using MqClient plain = await MqClient.ConnectAsync(
                MqClientOptions.Default with { Endpoint = endpoint, Name = "plain", SubscriptionCapacity = Count });
            await using MqSubscription flow = await careful.SubscribeAsync("flow.>", new SubscribeOptions { FlowControl = true });
            await using MqSubscription everything = await plain.SubscribeAsync("flow.>");

            Task publishing = Task.Run(async () =>
            {
                byte[] payload = new byte[512];
                for (int i = 0; i < Count; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(payload, i);
                    await publisher.PublishAsync("flow.data", payload.ToArray());
                }

                await publisher.FlushAsync();
            });

            // The flow-controlled subscriber reads nothing yet: once its window is full the broker withholds
            // credit, and the publisher, whose outbox is small, has to wait.
            await Waits.UntilAsync(() => Task.FromResult(everything.Received >= 100), "the first messages reaching the plain subscriber");
            Task first = await Task.WhenAny(publishing, Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.NotSame(publishing, first);
            long whileStalled = everything.Received;
            output.WriteLine($"while the flow-controlled subscriber read nothing, {whileStalled} of {Count} messages got through");
            Assert.InRange(whileStalled, 100, 2_000);

            // Now it reads, more slowly than the publisher could publish: everything arrives, in order.
            var started = System.Diagnostics.Stopwatch.StartNew();
            List<MqMessage> received = await flow.TakeAsync(Count, TimeSpan.FromSeconds(120));
            await publishing.WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"{Count} messages through a flow-controlled subscription in {started.ElapsedMilliseconds} ms");

            Assert.Equal(Count, received.Count);
            for (int i = 0; i < Count; i++)
            {
                Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(received[i].Data.Span));
                Assert.Equal((ulong)i + 1, received[i].Sequence);
            }

            Assert.Equal(0, flow.Dropped);
            List<MqMessage> all = await everything.TakeAsync(Count, TimeSpan.FromSeconds(30));
            Assert.Equal(Count, all.Count);
            Assert.Equal(0, everything.Dropped);
            Assert.False(broker.HasExited, broker.Output);
        }
    }

    [Fact]
    public async Task A_window_cut_by_the_broker_is_honoured_by_the_client()
    {
        // The client asks for a window of 1000 and would acknowledge every 250; the broker grants 8.
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", "--Broker:MaxFlowWindow=8");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
            await using MqClient careful = await MqClient.ConnectAsync(
                MqClientOptions.Default with { Endpoint = endpoint, Name = "careful", SubscriptionCapacity = 1000 });
            await using MqSubscription flow = await careful.SubscribeAsync("flow.>", new SubscribeOptions { FlowControl = true });
            for (int i = 0; i < 200; i++)
            {
                await publisher.PublishAsync("flow.small", new byte[] { 1 });
            }

            List<MqMessage> received = await flow.TakeAsync(200, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (ulong)i), received.Select(m => m.Sequence));
            Assert.Equal(0, flow.Dropped);
        }
    }

    [Fact]
    public async Task Flow_control_starts_afresh_after_the_broker_is_killed_and_restarted()
    {
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync();
        await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
        await using MqClient careful = await MqClient.ConnectAsync(
            MqClientOptions.Default with { Endpoint = endpoint, Name = "careful", SubscriptionCapacity = 50 });
        await using MqSubscription flow = await careful.SubscribeAsync("flow.>", new SubscribeOptions { FlowControl = true });

        // A full window, unread, when the broker dies: those messages belong to the old session.
        for (int i = 0; i < 50; i++)
        {
            await publisher.PublishAsync("flow.before", new byte[] { 1 });
        }

        await Waits.UntilAsync(() => Task.FromResult(flow.Received == 50), "the first window arriving");
        Task publisherBack = Reconnected(publisher);
        Task subscriberBack = Reconnected(careful);
        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        (PeerProcess second, _) = await BrokerProcess.StartAsync(endpoint);
        await using (second)
        {
            await Task.WhenAll(publisherBack, subscriberBack).WaitAsync(TimeSpan.FromSeconds(30));
            await publisher.FlushAsync();

            // Ten windows' worth after the restart: they only get through if the new session's ACKs work,
            // and the old session's unread messages neither count against the new window nor overflow the buffer.
            Task publishing = Task.Run(async () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    await publisher.PublishAsync("flow.after", new byte[] { 2 });
                }
            });
            List<MqMessage> received = await flow.TakeAsync(550, TimeSpan.FromSeconds(60));
            await publishing.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(50, received.Count(m => m.Subject == "flow.before"));
            Assert.Equal(500, received.Count(m => m.Subject == "flow.after"));
            Assert.Equal(0, flow.Dropped);
        }
    }

    /// <summary>
    /// Completes when <paramref name="client"/>, connected now, reports being connected again: that can only be a
    /// new session (the events run on the thread pool, so their order is not relied on).
    /// </summary>
    private static Task Reconnected(MqClient client)
    {
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == ConnectionState.Connected)
            {
                back.TrySetResult();
            }
        };
        return back.Task;
    }
}
