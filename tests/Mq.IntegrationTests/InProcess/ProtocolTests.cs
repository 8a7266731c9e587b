using MessagePack;
using Mq.Broker.Server;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.InProcess;

/// <summary>The wire protocol as docs/protocol.md describes it, spoken by hand.</summary>
public sealed class ProtocolTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;

    // Frequent heartbeats to observe, but a long peer timeout: raw peers send none, and a loaded machine must
    // not expire them mid-test. The silent-peer test starts its own broker with a short timeout.
    public async Task InitializeAsync() => _broker = await InProcessBroker.StartAsync(o =>
    {
        o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        o.PeerTimeout = TimeSpan.FromSeconds(60);
    });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public void The_broker_announces_its_versions_and_welcomes_a_hello_with_an_identity_and_its_limits()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        CommandReader connected = peer.Expect(CommandCode.Connected).Reader();
        Assert.Equal(ProtocolVersion.Supported, connected.ReadIntArray(8));
        Assert.Equal("test-broker", connected.ReadString(128));

        peer.Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "raw", null));
        CommandReader welcome = peer.Expect(CommandCode.Welcome).Reader();
        Assert.Equal(1UL, welcome.ReadUInt());
        Assert.StartsWith("peer-", welcome.ReadString(128));
        Dictionary<string, object?> settings = welcome.ReadSettings();
        Assert.Equal(100L, settings["heartbeat_ms"]);
        Assert.Equal(60_000L, settings["timeout_ms"]);
        Assert.Equal((long)ProtocolLimits.DefaultMaxPayloadBytes, settings["max_payload"]);
    }

    [Fact]
    public void An_unknown_version_gets_a_clear_error_not_silence()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        peer.Expect(CommandCode.Connected);
        peer.Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 99, "future", null));

        CommandReader error = peer.Expect(CommandCode.Error).Reader();
        error.ReadUInt();
        Assert.Equal((ulong)ErrorCode.UnsupportedVersion, error.ReadUInt());
        Assert.Contains("99", error.ReadString(1024));
    }

    [Fact]
    public void Commands_before_hello_are_refused_with_handshake_required()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        peer.Expect(CommandCode.Connected);
        peer.Send((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "a", null, [1]));

        CommandReader error = peer.Expect(CommandCode.Error).Reader();
        error.ReadUInt();
        Assert.Equal((ulong)ErrorCode.HandshakeRequired, error.ReadUInt());
    }

    [Fact]
    public void Every_command_in_a_batch_frame_is_processed_in_order()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        peer.Handshake();
        peer.Send((ref MessagePackWriter w) =>
        {
            CommandWriter.WriteSub(ref w, 7, 1, "batch.>", null);
            CommandWriter.WritePub(ref w, "batch.one", null, [1]);
            CommandWriter.WritePub(ref w, "batch.two", null, [2]);
        });

        Assert.Equal(7UL, peer.Expect(CommandCode.Ok).Reader().ReadUInt());
        CommandReader first = peer.Expect(CommandCode.Msg).Reader();
        Assert.Equal(1UL, first.ReadUInt());
        Assert.Equal(1UL, first.ReadUInt());
        Assert.Equal("batch.one", first.ReadString(256));
        CommandReader second = peer.Expect(CommandCode.Msg).Reader();
        second.ReadUInt();
        Assert.Equal(2UL, second.ReadUInt());
    }

    [Fact]
    public async Task A_silent_peer_is_forgotten_within_the_peer_timeout_with_its_services()
    {
        // Short, so the test is quick; not so short that a loaded machine makes the well-behaved client miss it.
        await using var broker = await InProcessBroker.StartAsync(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
            o.PeerTimeout = TimeSpan.FromSeconds(1);
        });
        MqClient requester = await broker.ConnectAsync("requester");
        using (var peer = new RawPeer(broker.Endpoint))
        {
            peer.Handshake();
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 1, "silent.service"));
            peer.Expect(CommandCode.Ok);

            // The raw peer never sends a heartbeat. Whichever notices first, the 1 s protocol timeout or ZeroMQ's own
            // heartbeat closing the connection, the broker must drop the peer and its service within the bound.
            await Waits.UntilAsync(async () => (await broker.Server.GetStatsAsync()).Services == 0, "the silent peer's service being forgotten", TimeSpan.FromSeconds(5));
        }

        await Assert.ThrowsAsync<Mq.Errors.NoRespondersException>(async () => await requester.RequestAsync("silent.service", default));
    }

    [Fact]
    public void The_broker_sends_heartbeats_to_an_idle_peer()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        peer.Handshake();
        peer.Expect(CommandCode.Heartbeat, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Ping_is_answered_with_ok_after_the_commands_before_it()
    {
        using var peer = new RawPeer(_broker.Endpoint);
        peer.Handshake();
        peer.Send((ref MessagePackWriter w) =>
        {
            CommandWriter.WriteSub(ref w, 1, 1, "p", null);
            CommandWriter.WritePub(ref w, "p", null, [9]);
            CommandWriter.WritePing(ref w, 2);
        });

        peer.Expect(CommandCode.Msg);
        Assert.Equal(2UL, peer.Expect(CommandCode.Ok).Reader().ReadUInt());
    }

    [Fact]
    public void A_peer_that_chooses_its_own_routing_identity_is_refused()
    {
        using var peer = new RawPeer(_broker.Endpoint, s => s.Options.Identity = "impostor"u8.ToArray());

        // Its first Mq frame is this ERROR, not CONNECTED: the broker closes the connection after it.
        CommandReader error = peer.Expect(CommandCode.Error).Reader();
        error.ReadUInt();
        Assert.Equal((ulong)ErrorCode.Malformed, error.ReadUInt());
        Assert.Contains("routing identity", error.ReadString(1024));
    }

    [Fact]
    public async Task Garbage_gets_an_error_and_everyone_else_goes_on()
    {
        MqClient subscriber = await _broker.ConnectAsync("subscriber");
        MqClient publisher = await _broker.ConnectAsync("publisher");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("still.working");

        using var peer = new RawPeer(_broker.Endpoint);
        peer.Handshake();
        peer.SendRaw([0xFF, 0x00, 0x13, 0x37]);
        CommandReader error = peer.Expect(CommandCode.Error).Reader();
        error.ReadUInt();
        Assert.Equal((ulong)ErrorCode.Malformed, error.ReadUInt());

        await publisher.PublishAsync("still.working", 1);
        await subscription.TakeAsync(1);
        BrokerStats stats = await _broker.Server.GetStatsAsync();
        Assert.True(stats.Refused >= 1);
    }
}
