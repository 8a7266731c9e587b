using System.Buffers.Binary;
using System.Diagnostics;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// The flow-control attack of issue #11 against a secured broker process: a guest subscribes to the trusted
/// publisher's subject with a window of 1 and never acknowledges. It may hold the publisher back at most
/// <c>MaxFlowStall</c>; then it is cut off as a slow consumer and the trusted subscriber receives everything.
/// </summary>
public sealed class FlowStallTests(ITestOutputHelper output)
{
    private const int Count = 3_000;
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_stuck_flow_controlled_guest_holds_a_trusted_publisher_back_at_most_the_bound()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync($"--Broker:MaxFlowStall={Stall}");
        await using MqClient guest = await ConnectAsync(broker, "guest", capacity: 1);

        // The default policy gives the guest no flow control at all.
        PermissionDeniedException refused = await Assert.ThrowsAsync<PermissionDeniedException>(
            async () => await guest.SubscribeAsync("public.feed", new SubscribeOptions { FlowControl = true }));
        Assert.Contains("flow control", refused.Message);

        await broker.WritePolicyAsync("public.>", guestFlowControl: "public.>");
        await broker.Process.WaitForLineAsync("Security policy reloaded", TimeSpan.FromSeconds(15));

        await using MqClient publisher = await ConnectAsync(broker, "trusted", capacity: 16);
        await using MqClient reader = await ConnectAsync(broker, "trusted", capacity: Count);
        await using MqSubscription everything = await reader.SubscribeAsync("public.feed");
        await using MqSubscription stuck = await guest.SubscribeAsync("public.feed", new SubscribeOptions { FlowControl = true });

        var cutOff = new TaskCompletionSource<(MqException Error, long At)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dropReported = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        guest.Error += (_, e) => cutOff.TrySetResult((e.Error, Stopwatch.GetTimestamp()));
        stuck.MessagesDropped += (_, e) => dropReported.TrySetResult(e.Total);

        // 3 MB: three times the publisher's credit, so it cannot finish while the guest holds it back.
        // The guest cannot hold the publisher back before it publishes, so the time from here to the cut-off
        // bounds the hold from above, and must not be less than the bound.
        long started = Stopwatch.GetTimestamp();
        byte[] payload = new byte[1024];
        for (int i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, i);
            await publisher.PublishAsync("public.feed", payload.ToArray());
        }

        await publisher.FlushAsync();
        TimeSpan published = Stopwatch.GetElapsedTime(started);

        (MqException error, long cutAt) = await cutOff.Task.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan held = Stopwatch.GetElapsedTime(started, cutAt);
        output.WriteLine($"the guest held the publisher back for {held.TotalMilliseconds:0} ms (bound {Stall.TotalMilliseconds:0} ms); {Count} publishes confirmed after {published.TotalMilliseconds:0} ms");

        Assert.Equal(ErrorCode.LimitExceeded, error.Code);
        Assert.Contains("slow consumer", error.Message);
        Assert.Contains("MaxFlowStall", error.Message);
        Assert.InRange(held, Stall - TimeSpan.FromMilliseconds(50), Stall + TimeSpan.FromSeconds(3));
        Assert.InRange(published, Stall - TimeSpan.FromMilliseconds(50), Stall + TimeSpan.FromSeconds(10));
        Assert.True(await dropReported.Task.WaitAsync(TimeSpan.FromSeconds(10)) > 0, "the guest is told what it lost");

        List<MqMessage> received = await everything.TakeAsync(Count, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, Count), received.Select(m => BinaryPrimitives.ReadInt32LittleEndian(m.Data.Span)));
        Assert.Equal(0, everything.Dropped);
        await broker.Process.WaitForLineAsync("as a slow consumer", TimeSpan.FromSeconds(5));
        Assert.False(broker.Process.HasExited, broker.Process.Output);
    }

    private static Task<MqClient> ConnectAsync(SecuredBroker broker, string identity, int capacity) =>
        MqClient.ConnectAsync(broker.ClientOptions(identity) with { SubscriptionCapacity = capacity }).AsTask();
}
