using MessagePack;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

public sealed class SessionLifecycleTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100), PeerTimeout = TimeSpan.FromMilliseconds(300) });

    [Fact]
    public void Hello_gets_a_welcome_with_a_broker_assigned_id()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "orders", null));
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "orders", null));

        CommandReader first = _broker.Expect(1, CommandCode.Welcome);
        CommandReader second = _broker.Expect(2, CommandCode.Welcome);
        first.ReadUInt();
        second.ReadUInt();
        Assert.NotEqual(first.ReadString(128), second.ReadString(128));
    }

    [Fact]
    public void An_unsupported_version_is_refused_and_a_supported_one_still_works_after()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 7, "future", null));
        Assert.Equal(ErrorCode.UnsupportedVersion, _broker.ExpectError(1, out string message));
        Assert.Contains("speaks 1", message);

        _broker.Connect(1);
    }

    [Fact]
    public void Anything_but_hello_first_needs_a_handshake()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "a", null));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1, out _));
        Assert.Equal(1, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void A_name_with_control_characters_is_refused()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "bad\u0007name", null));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1, out _));
    }

    [Fact]
    public void An_unknown_command_is_refused_and_the_rest_of_the_frame_still_runs()
    {
        _broker.Connect(1);
        _broker.From(1, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write(99);
            w.Write("whatever");
            CommandWriter.WritePing(ref w, 5);
        });

        Assert.Equal(ErrorCode.UnknownCommand, _broker.ExpectError(1, out _));
        Assert.Equal(5UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    [Fact]
    public void Garbage_is_refused_as_malformed_and_other_peers_are_untouched()
    {
        _broker.Connect(1);
        _broker.Connect(2);
        _broker.FromRaw(1, [0xde, 0xad, 0xbe, 0xef]);
        _broker.FromRaw(1, []);

        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1, out _));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1, out string empty));
        Assert.Contains("empty frame", empty);
        Assert.True(_broker.Idle(2));
        Assert.Equal(2, _broker.Engine.PeerCount);
    }

    [Fact]
    public void Idle_peers_get_heartbeats_and_silent_ones_are_forgotten()
    {
        _broker.Connect(1);
        _broker.Tick(150);
        _broker.Expect(1, CommandCode.Heartbeat);

        _broker.Tick(200);
        Assert.Equal(1, _broker.Engine.GetStats().PeersTimedOut);
        Assert.Equal(0, _broker.Engine.PeerCount);
    }

    [Fact]
    public void A_peer_that_keeps_talking_is_not_forgotten()
    {
        _broker.Connect(1);
        for (int i = 0; i < 10; i++)
        {
            _broker.Tick(100);
            _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteHeartbeat(ref w));
        }

        Assert.Equal(1, _broker.Engine.PeerCount);
    }

    [Fact]
    public void Shutdown_says_goodbye_to_every_ready_peer()
    {
        _broker.Connect(1);
        _broker.Connect(2);
        _broker.Engine.Shutdown("maintenance", _broker.Now);

        Assert.Equal("maintenance", _broker.Expect(1, CommandCode.Bye).ReadString(128));
        _broker.Expect(2, CommandCode.Bye);
    }

    [Fact]
    public void A_second_hello_starts_a_new_session_without_the_old_subscriptions()
    {
        _broker.Connect(1);
        _broker.Connect(2);
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "a", null));
        _broker.Expect(1, CommandCode.Ok);

        _broker.Connect(1);
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "a", null, [1]));

        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);
    }
}
