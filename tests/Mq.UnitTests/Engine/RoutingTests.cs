using MessagePack;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

public sealed class RoutingTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxPayloadBytes = 1024 });

    public RoutingTests()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "subscriber");
        _broker.Connect(3, "other");
    }

    [Fact]
    public void Deliveries_carry_the_sid_and_a_sequence_per_subscription()
    {
        Subscribe(2, sid: 9, "orders.*");
        for (int i = 0; i < 3; i++)
        {
            _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "orders.eu", null, new[] { (byte)i }));
        }

        for (ulong seq = 1; seq <= 3; seq++)
        {
            CommandReader msg = _broker.Expect(2, CommandCode.Msg);
            Assert.Equal(9UL, msg.ReadUInt());
            Assert.Equal(seq, msg.ReadUInt());
            Assert.Equal("orders.eu", msg.ReadString(256));
        }
    }

    [Fact]
    public void A_queue_group_gets_each_message_once_and_plain_subscribers_get_all()
    {
        Subscribe(2, 1, "jobs", group: "g");
        Subscribe(3, 1, "jobs", group: "g");
        Subscribe(1, 1, "jobs");
        for (int i = 0; i < 4; i++)
        {
            _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "jobs", null, []));
        }

        Assert.Equal(4, _broker.Pending(1).Count(c => c == CommandCode.Msg));
        Assert.Equal(2, _broker.Pending(2).Count(c => c == CommandCode.Msg));
        Assert.Equal(2, _broker.Pending(3).Count(c => c == CommandCode.Msg));
    }

    [Fact]
    public void Refused_publishes_are_answered_and_counted()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "a..b", null, []));
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "a", null, new byte[2048]));

        Assert.Equal(ErrorCode.InvalidSubject, _broker.ExpectError(1, out _));
        Assert.Equal(ErrorCode.TooLarge, _broker.ExpectError(1, out string tooLarge));
        Assert.Contains("2048", tooLarge);
        Assert.Equal(2, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void Subscription_ids_are_unique_per_peer_and_unknown_ones_cannot_be_removed()
    {
        Subscribe(2, 1, "a");
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 2, 1, "b", null));
        Assert.Equal(ErrorCode.Conflict, _broker.ExpectError(2, out _));

        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteUnsub(ref w, 3, 77));
        Assert.Equal(ErrorCode.Conflict, _broker.ExpectError(2, out _));
    }

    [Fact]
    public void The_subscription_limit_is_enforced()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxSubscriptionsPerPeer = 2 });
        broker.Connect(1);
        for (ulong sid = 1; sid <= 3; sid++)
        {
            broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, sid, sid, "a", null));
        }

        broker.Expect(1, CommandCode.Ok);
        broker.Expect(1, CommandCode.Ok);
        Assert.Equal(ErrorCode.LimitExceeded, broker.ExpectError(1, out _));
    }

    [Fact]
    public void A_full_peer_queue_drops_and_counts_frames_without_affecting_others()
    {
        Subscribe(2, 1, "x");
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "x", null, []));
        _broker.Outcome = SendOutcome.Sent;
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "x", null, []));

        Assert.Equal(1, _broker.Engine.GetStats().DroppedFrames);
        CommandReader msg = _broker.Expect(2, CommandCode.Msg);
        msg.ReadUInt();
        Assert.Equal(2UL, msg.ReadUInt()); // the gap tells the subscriber one was lost
    }

    [Fact]
    public void A_full_queue_drops_only_deliveries_keeps_replies_in_order_and_then_tells_how_many_were_lost()
    {
        Subscribe(2, 1, "x");
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WritePing(ref w, 41));
        for (int i = 0; i < 3; i++)
        {
            _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "x", null, []));
        }

        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WritePing(ref w, 42));
        Assert.True(_broker.Idle(2));

        _broker.Outcome = SendOutcome.Sent;
        _broker.Tick(10);

        Assert.Equal(41UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
        Assert.Equal(42UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
        CommandReader dropped = _broker.Expect(2, CommandCode.Dropped);
        Assert.Equal(1UL, dropped.ReadUInt());
        Assert.Equal(3UL, dropped.ReadUInt());
        Assert.Equal(3UL, dropped.ReadUInt());
        Assert.Equal(3, _broker.Engine.GetStats().DroppedMessages);

        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "x", null, []));
        CommandReader next = _broker.Expect(2, CommandCode.Msg);
        next.ReadUInt();
        Assert.Equal(4UL, next.ReadUInt());
    }

    [Fact]
    public void A_peer_whose_undroppable_backlog_overflows_is_disconnected_and_its_requests_fail()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxBacklogBytes = 64 * 1024 });
        broker.Connect(1, "requester");
        broker.Connect(2, "stuck-server");
        broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 1, "svc"));
        broker.Expect(2, CommandCode.Ok);

        broker.Outcome = SendOutcome.QueueFull;
        for (ulong rid = 1; rid <= 20; rid++)
        {
            broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, rid, "svc", 60_000, null, new byte[8 * 1024]));
        }

        Assert.Equal(1, broker.Engine.GetStats().PeersOverflowed);
        broker.Outcome = SendOutcome.Sent;
        broker.Tick(10);
        Assert.Equal(ErrorCode.ResponderLost, broker.ExpectReply(1, 1).Status);
    }

    private void Subscribe(uint key, ulong sid, string pattern, string? group = null)
    {
        _broker.From(key, (ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 100 + sid, sid, pattern, group));
        Assert.Equal(100 + sid, _broker.Expect(key, CommandCode.Ok).ReadUInt());
    }
}
