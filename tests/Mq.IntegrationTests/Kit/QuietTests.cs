using System.Diagnostics;
using Mq.Client;
using Mq.Errors;
using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Kit;

/// <summary>The broker's quiet: what makes it wait, what ends the wait, and the <c>$SYS.quiet</c> service.</summary>
public sealed class QuietTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Quiet_returns_once_everything_published_is_delivered_to_every_subscriber()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using MessageRecorder<int> first = await broker.RecordAsync<int>("quiet.>");
        await using MessageRecorder<int> second = await broker.RecordAsync<int>("quiet.>");
        await using MqClient publisher = await broker.ConnectAsync("publisher");
        for (int i = 0; i < 500; i++)
        {
            await publisher.PublishAsync("quiet.n", i);
        }

        await publisher.FlushAsync();
        var clock = Stopwatch.StartNew();
        await broker.WaitForQuietAsync(Bound);
        output.WriteLine($"quiet after 500 publishes to 2 subscribers: {clock.Elapsed.TotalMilliseconds:0.0} ms");
        clock.Restart();
        await broker.WaitForQuietAsync(Bound);
        output.WriteLine($"quiet when already quiet, 3 connections: {clock.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Equal(1000, (await broker.Server!.GetStatsAsync()).MessagesDelivered);
        Assert.Equal(500, (await first.WaitForCountAsync(500, Bound)).Count);
        Assert.Equal(500, (await second.WaitForCountAsync(500, Bound)).Count);
    }

    [Fact]
    public async Task A_request_in_flight_keeps_the_broker_from_being_quiet_until_it_is_answered()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using MqClient server = await broker.ConnectAsync("server");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MqService service = await server.ServeAsync<int, int>("slow.double", async (n, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return n * 2;
        });
        await using MqClient requester = await broker.ConnectAsync("requester");
        ValueTask<int> reply = requester.RequestAsync<int, int>("slow.double", 21, new RequestOptions { Timeout = Bound });

        // The request is in flight once its server holds it; before that it may still be in the requester's outbox.
        await started.Task.WaitAsync(Bound);

        TimeoutException busy = await Assert.ThrowsAsync<TimeoutException>(() => broker.WaitForQuietAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains("in flight", busy.Message);

        release.SetResult();
        Assert.Equal(42, await reply);
        await broker.WaitForQuietAsync(Bound);
    }

    [Fact]
    public async Task A_paused_peer_holds_quiet_back_because_it_answers_no_ping_and_resuming_it_ends_the_wait()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using PeerProcess subscriber = broker.SpawnPeer(PeerStart.App("Mq.Subscriber", "subscribe", "--topic", "paused.>", "--name", "sleeper"));
        await subscriber.WaitForLineAsync("subscribed to paused.>", Bound, onStandardError: true);
        await subscriber.PauseAsync();
        try
        {
            TimeoutException busy = await Assert.ThrowsAsync<TimeoutException>(() => broker.WaitForQuietAsync(TimeSpan.FromMilliseconds(500)));
            Assert.Contains("PING", busy.Message);
        }
        finally
        {
            subscriber.Resume();
        }

        await broker.WaitForQuietAsync(Bound);
    }

    [Fact]
    public async Task Peers_ask_for_quiet_through_the_SYS_quiet_service_and_no_peer_may_serve_it()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using MqClient peer = await broker.ConnectAsync("asker");

        Assert.True(await peer.RequestAsync<bool, bool>("$SYS.quiet", true));
        MqException refused = await Assert.ThrowsAnyAsync<MqException>(async () => await peer.ServeAsync<int, int>("$SYS.quiet", (n, _) => ValueTask.FromResult(n)));
        Assert.Contains("only the broker serves", refused.Message);
    }

}
