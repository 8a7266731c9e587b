using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>A peer whose outbound queue is full: only deliveries are dropped, and never silently.</summary>
public sealed class SlowConsumerTests
{
    private readonly EngineHarness _broker = new();

    public SlowConsumerTests()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "subscriber");
        _broker.Subscribe(2, 1, "x");
    }

    [Fact]
    public void A_full_peer_queue_drops_and_counts_frames_and_the_sequence_shows_the_gap()
    {
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(1, Frames.Pub("x"));
        _broker.Outcome = SendOutcome.Sent;
        _broker.From(1, Frames.Pub("x"));

        Assert.Equal(1, _broker.Engine.GetStats().DroppedFrames);
        Assert.Equal(2UL, _broker.ExpectMsg(2).Seq);
    }

    [Fact]
    public void A_full_queue_drops_only_deliveries_keeps_replies_in_order_and_then_tells_how_many_were_lost()
    {
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(2, Frames.Ping(41));
        for (int i = 0; i < 3; i++)
        {
            _broker.From(1, Frames.Pub("x"));
        }

        _broker.From(2, Frames.Ping(42));
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

        _broker.From(1, Frames.Pub("x"));
        Assert.Equal(4UL, _broker.ExpectMsg(2).Seq);
    }

    [Fact]
    public void A_peer_whose_undroppable_backlog_overflows_is_disconnected_and_its_requests_fail()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxBacklogBytes = 64 * 1024 });
        broker.Connect(1, "requester");
        broker.Connect(2, "stuck-server");
        broker.Serve(2, "svc");

        broker.Outcome = SendOutcome.QueueFull;
        for (ulong rid = 1; rid <= 20; rid++)
        {
            broker.From(1, Frames.Req(rid, "svc", 60_000, new byte[8 * 1024]));
        }

        Assert.Equal(1, broker.Engine.GetStats().PeersOverflowed);
        Assert.Equal(1, broker.Engine.PeerCount);
        Assert.Equal([2u], broker.Closed);
        broker.Outcome = SendOutcome.Sent;
        broker.Tick(10);
        Assert.Equal(ErrorCode.ResponderLost, broker.ExpectReply(1, 1).Status);
    }
}
