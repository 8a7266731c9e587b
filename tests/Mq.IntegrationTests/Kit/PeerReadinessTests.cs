using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Kit;

/// <summary>The readiness signal, from a shell script (any language can send it) and from a hosted app (sent by itself).</summary>
public sealed class PeerReadinessTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_peer_in_any_language_is_ready_once_it_writes_a_line_to_the_readiness_address()
    {
        // The peer stays up (bounded) until the kit kills it at the end of the test.
        const string script = "exec 3<>/dev/tcp/${MQ_READY_ADDRESS%:*}/${MQ_READY_ADDRESS#*:}; echo \"broker $MQ_BROKER\"; echo ready >&3; exec 3>&-; exec sleep 60";
        await using PeerProcess peer = await fixture.Broker.StartPeerAsync(PeerStart.Executable("bash", "-c", script) with { Name = "shell-peer" });

        Assert.False(peer.HasExited);
        Assert.Contains($"broker {fixture.Broker.Endpoint}", await peer.WaitForLineAsync("broker ", Bound));
    }

    [Fact]
    public async Task Every_process_a_peer_starts_inherits_the_address_and_none_of_them_hangs_sending_the_signal()
    {
        // A script starting several apps (as scripts/demo.sh does), spawned without awaiting readiness, so nobody
        // takes the signals: each still gets through at once (it used to hang in SYN retries once the queue was full).
        const string signal = "exec 3<>/dev/tcp/${MQ_READY_ADDRESS%:*}/${MQ_READY_ADDRESS#*:}; echo ready >&3; exec 3>&-";
        string script = string.Join(" ", Enumerable.Repeat($"( {signal} ) &", 6)) + " wait; echo all signalled";
        await using PeerProcess peer = fixture.Broker.SpawnPeer(PeerStart.Executable("bash", "-c", script) with { Name = "many-apps" });

        await peer.WaitForLineAsync("all signalled", Bound);
        await peer.WaitForReadyAsync(Bound);
        Assert.Equal(0, await peer.WaitForExitAsync(Bound));
    }

    [Fact]
    public async Task A_peer_that_exits_before_it_is_ready_fails_the_start_with_its_output()
    {
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            fixture.Broker.StartPeerAsync(PeerStart.Executable("bash", "-c", "echo cannot start >&2; exit 3")));

        Assert.Contains("exited with code 3 before it was ready", error.Message);
        Assert.Contains("cannot start", error.Message);
    }

    [Fact]
    public async Task A_peer_that_never_signals_fails_the_start_after_the_timeout_and_is_killed()
    {
        TimeoutException error = await Assert.ThrowsAsync<TimeoutException>(() =>
            fixture.Broker.StartPeerAsync(PeerStart.Executable("bash", "-c", "echo waiting; exec sleep 60"), readyTimeout: TimeSpan.FromMilliseconds(500)));

        Assert.Contains("was not ready within", error.Message);
        Assert.Contains("out| waiting", error.Message);
    }

    [Fact]
    public async Task A_hosted_app_is_ready_once_its_subscriptions_and_services_are_confirmed()
    {
        await using PeerProcess demo = await fixture.Broker.StartPeerAsync(PeerStart.App("Mq.Subscriber", "demo", "--topic", "ready.>", "--stats-service", "ready.stats", "--name", "hosted"));
        await using MqClient client = await fixture.Broker.ConnectAsync("asker");

        // Ready means served: the request finds its server at once, with no retry.
        MqReply reply = await client.RequestAsync("ready.stats", MessagePack.MessagePackSerializer.Serialize<object?>(null));
        Assert.False(reply.Data.IsEmpty);
    }

    [Fact]
    public async Task A_paused_peer_stops_and_a_resumed_one_goes_on()
    {
        await using PeerProcess subscriber = fixture.Broker.SpawnPeer(PeerStart.App("Mq.Subscriber", "subscribe", "--topic", "pause.>", "--name", "pausable"));
        await subscriber.WaitForLineAsync("subscribed to pause.>", Bound, onStandardError: true);
        await using MqClient publisher = await fixture.Broker.ConnectAsync("publisher");

        await subscriber.PauseAsync();
        await publisher.PublishAsync("pause.one", "while paused");
        await publisher.FlushAsync();
        Assert.Equal('T', ProcStatus.State(subscriber.Id));
        subscriber.Resume();

        await subscriber.WaitForLineAsync("while paused", Bound, onStandardError: false);
    }
}
