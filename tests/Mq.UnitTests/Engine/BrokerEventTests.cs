using MessagePack;
using Mq.Broker.Events;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// Events under <c>$SYS.event.</c>: MessagePack maps a watcher receives as messages; none built without a watcher,
/// none for a subscription to everything, slow consumers coalesced per subscription, refusals rate-limited.
/// </summary>
public sealed class BrokerEventTests
{
    private const uint Watcher = 9;
    // Peers here send no heartbeats: they must outlast the slow-consumer window.
    private readonly EngineHarness _broker = new(new BrokerOptions { Name = "events-test", PeerTimeout = TimeSpan.FromMinutes(1) });

    [Fact]
    public void Without_a_watcher_no_event_is_built()
    {
        _broker.Connect(1, "alice");
        _broker.Subscribe(1, 1, ">");
        _broker.Connect(2, "bob");
        _broker.Disconnect(2);

        Assert.Equal(0, _broker.Engine.GetStats().EventsPublished);
        Assert.True(_broker.Idle(1), "a subscription to '>' got an event");
    }

    [Fact]
    public void A_watcher_sees_a_peer_connect_and_leave_with_its_address_and_the_reason()
    {
        Watch("$SYS.event.peer.*");

        string peerId = _broker.Connect(1, "alice");
        Dictionary<object, object> connected = Event("peer.connected");
        Assert.Equal("alice", connected["name"]);
        Assert.Equal(peerId, connected["peer_id"]);
        Assert.Null(connected["identity"]);
        Assert.Equal("127.0.0.1", connected["address"]);
        Assert.Equal("events-test", connected["broker"]);
        Assert.True(DateTimeOffset.TryParse((string)connected["time"], out _));

        _broker.Tick(250);
        _broker.Disconnect(1);
        _broker.SkipHeartbeats(Watcher);
        Dictionary<object, object> left = Event("peer.disconnected");
        Assert.Equal("alice", left["name"]);
        Assert.Equal("disconnected", left["reason"]);
        Assert.Equal(250L, Convert.ToInt64(left["connected_ms"]));
        Assert.Equal(2, _broker.Engine.GetStats().EventsPublished);
    }

    [Fact]
    public void A_second_hello_ends_the_session_for_watchers_before_the_new_one_starts()
    {
        Watch("$SYS.event.peer.*");
        string first = _broker.Connect(1, "again");
        Event("peer.connected");

        string second = _broker.Connect(1, "again");

        Dictionary<object, object> left = Event("peer.disconnected");
        Assert.Equal(first, left["peer_id"]);
        Assert.Contains("HELLO", (string)left["reason"]);
        Assert.Equal(second, Event("peer.connected")["peer_id"]);
    }

    [Fact]
    public void Publishing_under_SYS_is_refused_and_announced_as_a_permission_denied()
    {
        Watch("$SYS.event.permission_denied");
        _broker.Connect(1, "forger");

        _broker.From(1, Frames.Pub("$SYS.event.peer.connected", [1]));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.PermissionDenied, refusal.Code);
        Assert.Contains("only the broker publishes", refusal.Message);
        Dictionary<object, object> denied = Event("permission_denied");
        Assert.Equal("forger", denied["name"]);
        Assert.Equal("publish", denied["action"]);
        Assert.Equal("$SYS.event.peer.connected", denied["subject"]);
        Assert.Equal(0L, Convert.ToInt64(denied["suppressed"]));
        Assert.True(_broker.Idle(Watcher), "the forged publish reached the watcher");
    }

    [Fact]
    public void Permission_denied_events_are_limited_broker_wide_and_the_next_one_counts_the_suppressed()
    {
        Watch("$SYS.event.permission_denied");
        _broker.Connect(1, "hostile");
        const int attempts = BrokerEvents.RefusalEventsPerSecond + 5;

        _broker.From(1, Frames.Batch([.. Enumerable.Repeat(Frames.Pub("$SYS.x"), attempts)]));

        for (int i = 0; i < BrokerEvents.RefusalEventsPerSecond; i++)
        {
            Event("permission_denied");
        }

        Assert.True(_broker.Idle(Watcher), "more events than the limit");
        Assert.Equal(5, _broker.Engine.GetStats().EventsSuppressed);

        _broker.Tick(1_000);
        _broker.SkipHeartbeats(Watcher);
        _broker.From(1, Frames.Pub("$SYS.x"));
        Assert.Equal(5L, Convert.ToInt64(Event("permission_denied")["suppressed"]));
    }

    [Fact]
    public void A_subscriber_with_a_full_queue_is_announced_at_once_then_once_a_second_with_the_count_since()
    {
        Watch("$SYS.event.slow_consumer");
        _broker.Connect(1, "publisher");
        string slowId = _broker.Connect(2, "slow");
        _broker.Subscribe(2, 7, "flood.>", group: "workers");
        _broker.FullQueues.Add(2);

        _broker.From(1, Frames.Pub("flood.a"));
        _broker.Tick(10);
        Dictionary<object, object> first = Event("slow_consumer");
        Assert.Equal("slow", first["name"]);
        Assert.Equal(slowId, first["peer_id"]);
        Assert.Equal(7L, Convert.ToInt64(first["sid"]));
        Assert.Equal("flood.>", first["pattern"]);
        Assert.Equal("workers", first["queue_group"]);
        Assert.Equal(1L, Convert.ToInt64(first["dropped"]));
        Assert.Equal(false, first["cut_off"]);

        // Many more within the second: one event when it has passed, with all of them.
        for (int i = 0; i < 50; i++)
        {
            _broker.From(1, Frames.Pub("flood.a"));
            _broker.Tick(10);
        }

        _broker.SkipHeartbeats(Watcher);
        Assert.True(_broker.Idle(Watcher), "a second event within the second");
        _broker.Tick(1_000);
        _broker.SkipHeartbeats(Watcher);
        Dictionary<object, object> coalesced = Event("slow_consumer");
        Assert.Equal(50L, Convert.ToInt64(coalesced["dropped"]));
        Assert.Equal(51L, Convert.ToInt64(coalesced["dropped_total"]));
    }

    [Fact]
    public void Peers_and_subs_show_a_slow_consumer_with_its_drops()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "slow");
        _broker.Subscribe(2, 1, "flood");
        _broker.FullQueues.Add(2);
        for (int i = 0; i < 3; i++)
        {
            _broker.From(1, Frames.Pub("flood"));
        }

        Dictionary<object, object> slow = ((object[])Ask(SystemServices.Peers)["peers"]).Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == "slow");
        Assert.Equal(3L, Convert.ToInt64(slow["dropped_messages"]));
        Assert.Equal(true, slow["slow_consumer"]);
        var sub = (Dictionary<object, object>)Assert.Single((object[])Ask(SystemServices.Subs)["subs"]);
        Assert.Equal(3L, Convert.ToInt64(sub["dropped"]));
        Assert.Equal(true, sub["slow_consumer"]);

        // Once it keeps up again, the state clears; the count stays.
        _broker.FullQueues.Remove(2);
        _broker.Tick(BrokerEvents.SlowConsumerWindowMs);
        slow = ((object[])Ask(SystemServices.Peers)["peers"]).Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == "slow");
        Assert.Equal(false, slow["slow_consumer"]);
        Assert.Equal(3L, Convert.ToInt64(slow["dropped_messages"]));
    }

    [Fact]
    public void A_flow_controlled_subscription_cut_off_is_announced_at_once_with_what_it_lost_and_why()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxFlowStall = TimeSpan.FromSeconds(1) });
        broker.Connect(1, "publisher");
        broker.Connect(2, "slow");
        broker.Connect(Watcher, "watcher");
        broker.Subscribe(Watcher, 1, "$SYS.event.>");
        broker.From(2, Frames.Sub(5, 5, "work", null, window: 1));
        broker.Expect(2, CommandCode.Ok);
        broker.From(1, Frames.Pub("work"));
        broker.From(1, Frames.Pub("work"));
        broker.From(1, Frames.Pub("work"));

        broker.Tick(1_500);
        broker.SkipHeartbeats(Watcher);
        Delivery(broker, "slow_consumer", out Dictionary<object, object> cut);

        Assert.Equal(true, cut["cut_off"]);
        Assert.Equal(2L, Convert.ToInt64(cut["dropped"]));
        Assert.Contains("MaxFlowStall", (string)cut["reason"]);
    }

    private void Watch(string pattern)
    {
        _broker.Connect(Watcher, "watcher");
        _broker.Subscribe(Watcher, 1, pattern);
    }

    private Dictionary<object, object> Event(string kind)
    {
        Delivery(_broker, kind, out Dictionary<object, object> e);
        return e;
    }

    private static void Delivery(EngineHarness broker, string kind, out Dictionary<object, object> e)
    {
        EngineHarness.Delivery msg = broker.ExpectMsg(Watcher);
        Assert.Equal(BrokerEvents.Prefix + kind, msg.Subject);
        e = MessagePackSerializer.Deserialize<Dictionary<object, object>>(msg.Payload);
        Assert.Equal(kind, e["event"]);
    }

    private Dictionary<object, object> Ask(string service)
    {
        _broker.SkipHeartbeats(1);
        _broker.From(1, Frames.Req(99, service));
        return MessagePackSerializer.Deserialize<Dictionary<object, object>>(_broker.ExpectReply(1, 99).Payload);
    }
}
