using MessagePack;
using Mq.Broker.Security;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;

namespace Mq.IntegrationTests.InProcess;

/// <summary>
/// A watcher subscribed to <c>$SYS.event.&gt;</c> through a real client: who came and went, who was refused what,
/// who failed to authenticate, and which subscriber dropped how much; and only an identity with the right sees it.
/// </summary>
public sealed class BrokerEventsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Under_a_policy_the_admin_sees_peers_refusals_and_failed_proofs_and_a_guest_can_neither_watch_nor_forge()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o =>
        {
            o.AddIdentity("admin", new PolicyRole { Subscribe = new PolicyRule { Allow = ["$SYS.event.>"] } });
            o.AddIdentity("guest", new PolicyRole { Publish = new PolicyRule { Allow = [">"] }, Subscribe = new PolicyRule { Allow = ["public.>"] } });
        });
        await using MqClient admin = await broker.ConnectAsync("admin-peer", identity: "admin");
        await using MqSubscription events = await admin.SubscribeAsync("$SYS.event.>");

        MqClient guest = await broker.ConnectAsync("guest-peer", identity: "guest");
        Dictionary<string, object?> connected = await NextAsync(events, "peer.connected");
        Assert.Equal("guest-peer", connected["name"]);
        Assert.Equal("guest", connected["identity"]);
        Assert.Equal("127.0.0.1", connected["address"]);

        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.SubscribeAsync("$SYS.event.>"));
        Dictionary<string, object?> watching = await NextAsync(events, "permission_denied");
        Assert.Equal(("guest-peer", "subscribe", "$SYS.event.>"), (watching["name"], watching["action"], watching["subject"]));

        // Its publish right covers everything, yet nobody publishes under $SYS. but the broker.
        await guest.PublishAsync("$SYS.event.peer.connected", new byte[] { 1 });
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await guest.FlushAsync());
        Dictionary<string, object?> forging = await NextAsync(events, "permission_denied");
        Assert.Equal(("publish", "$SYS.event.peer.connected"), (forging["action"], forging["subject"]));

        MqClientOptions impostor = broker.ClientOptions("impostor", "guest") with { IdentityKeyFile = broker.Security!.KeyFile("admin"), ConnectTimeout = TimeSpan.FromSeconds(3) };
        await Assert.ThrowsAsync<UnauthenticatedException>(async () => await MqClient.ConnectAsync(impostor));
        Dictionary<string, object?> failed = await NextAsync(events, "auth_failed");
        Assert.Equal(("guest", "127.0.0.1"), (failed["identity"], failed["address"]));
        Assert.Contains("wrong key", (string)failed["reason"]!);

        await guest.DisposeAsync();
        Dictionary<string, object?> left = await NextAsync(events, "peer.disconnected");
        Assert.Equal("guest-peer", left["name"]);
        Assert.False(string.IsNullOrEmpty((string?)left["reason"]));
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_announced_with_its_drops_and_listed_as_a_slow_consumer()
    {
        await using var broker = await InProcessBroker.StartAsync(o =>
        {
            o.SendQueueBytes = 256 * 1024;

            // The stuck peer sends no heartbeats: it must not be forgotten on a slow machine.
            o.PeerTimeout = TimeSpan.FromMinutes(5);
        });
        MqClient watcher = await broker.ConnectAsync("watcher");
        await using MqSubscription events = await watcher.SubscribeAsync("$SYS.event.slow_consumer");
        MqClient publisher = await broker.ConnectAsync("publisher");
        using var stuck = new RawPeer(broker.Endpoint, s => s.Options.ReceiveHighWatermark = 4);
        stuck.Handshake("stuck");
        stuck.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
        stuck.Expect(CommandCode.Ok);

        // Bounded: far more than the stuck peer's queues hold, published until the broker says it dropped.
        byte[] payload = new byte[16 * 1024];
        Task<Dictionary<string, object?>> announced = NextAsync(events, "slow_consumer");
        for (int i = 0; i < 2000 && !announced.IsCompleted; i++)
        {
            await publisher.PublishAsync("flood", payload);
        }

        Dictionary<string, object?> slow = await announced;
        Assert.Equal("stuck", slow["name"]);
        Assert.Equal("flood", slow["pattern"]);
        Assert.Equal(1L, Convert.ToInt64(slow["sid"]));
        Assert.True(Convert.ToInt64(slow["dropped"]) > 0);
        Assert.Equal(false, slow["cut_off"]);

        MqReply peers = await watcher.RequestAsync("$SYS.peers", ReadOnlyMemory<byte>.Empty);
        var listed = ((object[])peers.Deserialize<Dictionary<string, object?>>()["peers"]!).Cast<Dictionary<object, object?>>().Single(p => (string?)p["name"] == "stuck");
        Assert.Equal(true, listed["slow_consumer"]);
        Assert.True(Convert.ToInt64(listed["dropped_messages"]) >= Convert.ToInt64(slow["dropped_total"]));
    }

    /// <summary>The next event of <paramref name="kind"/>, skipping others (a bounded number, within <see cref="Bound"/>).</summary>
    private static async Task<Dictionary<string, object?>> NextAsync(MqSubscription events, string kind)
    {
        using var timeout = new CancellationTokenSource(Bound);
        for (int skipped = 0; skipped < 100; skipped++)
        {
            MqMessage message = await events.Reader.ReadAsync(timeout.Token);
            var e = message.Deserialize<Dictionary<string, object?>>();
            if ((string?)e["event"] == kind)
            {
                Assert.Equal("$SYS.event." + kind, message.Subject);
                return e;
            }
        }

        throw new Xunit.Sdk.XunitException($"no {kind} event among the next 100");
    }
}
