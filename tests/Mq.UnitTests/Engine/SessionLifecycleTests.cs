using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>Handshake, heartbeats, liveness, BYE and shutdown.</summary>
public sealed class SessionLifecycleTests
{
    private static readonly BrokerOptions FastClock = new()
    {
        Name = "unit-broker",
        MaxPayloadBytes = 4096,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        PeerTimeout = TimeSpan.FromMilliseconds(300),
    };

    private readonly EngineHarness _broker = new(FastClock);

    [Fact]
    public void Hello_is_answered_with_welcome_carrying_version_1_a_peer_id_and_the_brokers_settings()
    {
        _broker.From(1, Frames.Hello("orders"));

        CommandReader welcome = _broker.Expect(1, CommandCode.Welcome);
        Assert.Equal(1UL, welcome.ReadUInt());
        Assert.Matches("^peer-[0-9]+$", welcome.ReadString(128));
        Dictionary<string, object?> settings = welcome.ReadSettings();
        welcome.EndCommand();
        Assert.Equal("unit-broker", settings["broker"]);
        Assert.Equal(100L, settings["heartbeat_ms"]);
        Assert.Equal(300L, settings["timeout_ms"]);
        Assert.Equal(4096L, settings["max_payload"]);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void Each_connection_gets_its_own_peer_id_and_frames_go_to_its_session()
    {
        string first = _broker.Connect(1, "orders");
        string second = _broker.Connect(2, "orders");

        Assert.NotEqual(first, second);
        Assert.Equal(2, _broker.Engine.PeerCount);
        Assert.Equal([1u, 2u], _broker.Sent.Select(s => s.Session.Key));
        Assert.Equal("127.0.0.1", _broker.Sent[1].Session.Source);
    }

    [Fact]
    public void An_unsupported_version_is_refused_without_a_session_and_a_supported_one_works_after()
    {
        _broker.From(1, Frames.Hello("future", version: 7));
        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.UnsupportedVersion, refusal.Code);
        Assert.Contains("speaks 1", refusal.Message);

        _broker.From(1, Frames.Ping(3));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);

        _broker.Connect(1);
        _broker.From(1, Frames.Ping(4));
        Assert.Equal(4UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    [Fact]
    public void A_command_before_hello_needs_a_handshake_and_the_rest_of_its_frame_is_discarded()
    {
        _broker.From(1, Frames.Batch(Frames.Sub(1, 1, "a"), Frames.Ping(2)));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.HandshakeRequired, refusal.Code);
        Assert.Contains("HELLO", refusal.Message);
        Assert.True(_broker.Idle(1));
        Assert.Equal(1, _broker.Engine.GetStats().Refused);
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);
    }

    [Theory]
    [InlineData("bad\u0007name")]
    [InlineData("")]
    public void A_peer_name_must_be_non_empty_and_free_of_control_characters(string name)
    {
        _broker.From(1, Frames.Hello(name));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        _broker.From(1, Frames.Ping(1));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void Ping_is_answered_with_ok_echoing_its_ref_after_the_commands_before_it()
    {
        _broker.Connect(1);
        _broker.From(1, Frames.Batch(Frames.Sub(5, 1, "a"), Frames.Ping(6)));

        Assert.Equal(5UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        Assert.Equal(6UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        Assert.Equal(2, _broker.Sent.Count); // WELCOME, then both OKs batched in one frame
    }

    [Fact]
    public void Idle_peers_get_a_heartbeat_once_the_interval_passes_in_silence()
    {
        _broker.Connect(1);
        _broker.Tick(99);
        Assert.True(_broker.Idle(1));

        _broker.Tick(1);
        _broker.Expect(1, CommandCode.Heartbeat);
        _broker.Tick(50);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_peer_that_was_just_sent_something_gets_no_heartbeat()
    {
        _broker.Connect(1);
        _broker.Tick(90);
        _broker.From(1, Frames.Ping(1));
        _broker.Expect(1, CommandCode.Ok);

        _broker.Tick(20);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_connection_that_never_said_hello_gets_no_heartbeat()
    {
        _broker.From(1, Frames.Ping(1));
        _broker.ExpectError(1);
        _broker.Tick(150);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_silent_peer_is_forgotten_after_the_timeout_and_its_subscriptions_with_it()
    {
        _broker.Connect(1, "silent");
        _broker.Connect(2, "publisher");
        _broker.Subscribe(1, 1, "news");

        _broker.Now += 300;
        _broker.From(2, Frames.Heartbeat());
        _broker.Tick(0);
        Assert.Equal(2, _broker.Engine.PeerCount); // exactly the timeout: not yet

        _broker.Tick(1);
        Assert.Equal(1, _broker.Engine.PeerCount);
        Assert.Equal(1, _broker.Engine.GetStats().PeersTimedOut);
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);

        _broker.SkipHeartbeats(1);
        _broker.From(2, Frames.Pub("news", [1]));
        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.GetStats().MessagesDelivered);

        _broker.From(1, Frames.Ping(9));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_peer_that_keeps_talking_is_not_forgotten()
    {
        _broker.Connect(1);
        for (int i = 0; i < 10; i++)
        {
            _broker.Tick(100);
            _broker.From(1, Frames.Heartbeat());
        }

        Assert.Equal(1, _broker.Engine.PeerCount);
        Assert.Equal(0, _broker.Engine.GetStats().PeersTimedOut);
    }

    [Fact]
    public void Bye_ends_the_session_at_once_without_a_reply_and_discards_the_rest_of_the_frame()
    {
        _broker.Connect(1);
        _broker.Subscribe(1, 1, "a");

        _broker.From(1, Frames.Batch(Frames.Bye("leaving"), Frames.Ping(2)));

        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);
        // The connection stays, with a new session that has to say HELLO again.
        Assert.Equal(1, _broker.Engine.PeerCount);
        Assert.Empty(_broker.Closed);
    }

    [Fact]
    public void Shutdown_says_goodbye_to_every_ready_peer_and_only_to_them()
    {
        _broker.Connect(1);
        _broker.Connect(2);
        _broker.From(3, Frames.Ping(1));
        _broker.ExpectError(3);

        _broker.Engine.Shutdown("maintenance", _broker.Now);

        Assert.Equal("maintenance", _broker.Expect(1, CommandCode.Bye).ReadString(128));
        Assert.Equal("maintenance", _broker.Expect(2, CommandCode.Bye).ReadString(128));
        Assert.True(_broker.Idle(3));
    }

    [Fact]
    public void A_second_hello_starts_a_new_session_without_the_old_subscriptions()
    {
        string before = _broker.Connect(1);
        _broker.Connect(2);
        _broker.Subscribe(1, 1, "a");

        string after = _broker.Connect(1);
        _broker.From(2, Frames.Pub("a", [1]));

        Assert.NotEqual(before, after);
        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);
        _broker.Subscribe(1, 1, "a"); // the sid is free again
    }

    [Fact]
    public void A_second_hello_gets_nothing_the_old_session_had_coming_drops_confirmations_or_sequences()
    {
        _broker.Connect(1, "subscriber");
        _broker.Connect(2, "publisher");
        _broker.Subscribe(1, 1, "a");

        // The subscriber's queue is full: deliveries are dropped (a DROPPED is owed), and the OK of its PING waits in its backlog.
        _broker.Outcome = SendOutcome.QueueFull;
        for (int i = 0; i < 5; i++)
        {
            _broker.From(2, Frames.Pub("a", [(byte)i]));
        }

        _broker.From(1, Frames.Ping(9));
        _broker.Outcome = SendOutcome.Sent;

        _broker.From(1, Frames.Hello("again"));
        _broker.Expect(1, CommandCode.Welcome);
        _broker.Tick(10);
        Assert.True(_broker.Idle(1), $"the new session was sent {string.Join(", ", _broker.Pending(1))}");

        _broker.Subscribe(1, 1, "a");
        _broker.From(2, Frames.Pub("a", [7]));
        EngineHarness.Delivery delivery = _broker.ExpectMsg(1);
        Assert.Equal(1UL, delivery.Seq);
        Assert.Equal([7], delivery.Payload);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_second_hello_drops_the_old_sessions_flow_control_waits_and_releases_its_publishers()
    {
        _broker.Connect(1, "subscriber");
        _broker.Connect(2, "publisher");
        _broker.From(1, Frames.Sub(10, 1, "a", window: 1));
        _broker.Expect(1, CommandCode.Ok);
        for (int i = 0; i < 3; i++)
        {
            _broker.From(2, Frames.Pub("a", [(byte)i]));
        }

        Assert.Equal(1UL, _broker.ExpectMsg(1).Seq);
        _broker.Connect(1, "again");
        _broker.From(1, Frames.Sub(11, 1, "a", window: 1));
        _broker.Expect(1, CommandCode.Ok);
        Assert.True(_broker.Idle(1));

        _broker.From(2, Frames.Pub("a", [9]));
        EngineHarness.Delivery delivery = _broker.ExpectMsg(1);
        Assert.Equal(1UL, delivery.Seq);
        Assert.Equal([9], delivery.Payload);
    }

    [Fact]
    public void Disconnecting_an_unknown_connection_changes_nothing()
    {
        _broker.Connect(1);
        _broker.Disconnect(42);
        Assert.Equal(1, _broker.Engine.PeerCount);
    }
}
