using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// Flow control: a flow-controlled subscription gets at most its window of unacknowledged deliveries, the rest
/// wait in order, and publishers feeding a subscription that has fallen behind get no more CREDIT until it catches up.
/// </summary>
public sealed class FlowControlTests
{
    private const int CreditBytes = 16 * 1024;
    private readonly EngineHarness _broker = new(new BrokerOptions { PublisherCreditBytes = CreditBytes, MaxFlowWindow = 100, MaxPayloadBytes = 4096 });

    public FlowControlTests()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "slow");
        _broker.From(2, Frames.Sub(10, 5, "orders.>", window: 3));
        Assert.Equal(10UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
    }

    [Fact]
    public void Welcome_announces_the_publish_credit()
    {
        _broker.From(3, Frames.Hello("newcomer"));
        CommandReader welcome = _broker.Expect(3, CommandCode.Welcome);
        welcome.ReadUInt();
        welcome.ReadString(ProtocolLimits.MaxNameBytes);
        Assert.Equal((long)CreditBytes, welcome.ReadSettings()["credit"]);
    }

    [Fact]
    public void Deliveries_past_the_window_wait_in_order_and_ack_releases_them()
    {
        for (int i = 1; i <= 5; i++)
        {
            _broker.From(1, Frames.Pub("orders.new", [(byte)i]));
        }

        Assert.Equal([1UL, 2UL, 3UL], [.. Enumerable.Range(0, 3).Select(_ => _broker.ExpectMsg(2).Seq)]);
        Assert.True(_broker.Idle(2));

        _broker.From(2, Frames.Ack(5, 1));
        Assert.Equal(4UL, _broker.ExpectMsg(2).Seq);
        Assert.True(_broker.Idle(2));

        _broker.From(2, Frames.Ack(5, 3));
        EngineHarness.Delivery last = _broker.ExpectMsg(2);
        Assert.Equal(5UL, last.Seq);
        Assert.Equal([5], last.Payload);
        Assert.True(_broker.Idle(2));

        BrokerStats stats = _broker.Engine.GetStats();
        Assert.Equal(0, stats.DroppedMessages);
        Assert.Equal(2, stats.FlowWaits);
        Assert.Equal(5, stats.MessagesDelivered);
    }

    [Fact]
    public void A_publisher_gets_credit_as_it_goes_but_none_while_a_subscriber_it_feeds_is_behind()
    {
        byte[] payload = new byte[1000];
        int sent = 0;
        while (_broker.Idle(1) && sent < 100)
        {
            _broker.From(1, Frames.Pub("other.subject", payload));
            sent++;
        }

        // Half the window used: topped up to a full window beyond what was received.
        ulong granted = _broker.Expect(1, CommandCode.Credit).ReadUInt();
        Assert.InRange(sent, 2, CreditBytes / 1000);
        Assert.True(granted > (ulong)CreditBytes);

        for (int i = 0; i < 4; i++)
        {
            _broker.From(1, Frames.Pub("orders.new", payload));
        }

        // The fourth delivery waits for an ACK, so the publisher is held back however much it sends.
        for (int i = 0; i < 20; i++)
        {
            _broker.From(1, Frames.Pub("orders.new", payload));
        }

        Assert.True(_broker.Idle(1));
        Assert.Equal(1, _broker.Engine.GetStats().PublisherStalls);

        _broker.From(2, Frames.Ack(5, 100));
        Assert.True(_broker.Idle(1), "still three deliveries waiting past the window");
        for (int i = 0; i < 20 && _broker.Idle(1); i++)
        {
            _broker.From(2, Frames.Ack(5, 3));
        }

        Assert.True(_broker.Expect(1, CommandCode.Credit).ReadUInt() > granted);
    }

    [Fact]
    public void Unsubscribing_releases_the_publishers_it_held_back()
    {
        StallThePublisher();
        UseUpTheCredit();

        Assert.True(_broker.Idle(1));
        _broker.From(2, Frames.Unsub(11, 5));
        Assert.True(_broker.Expect(1, CommandCode.Credit).ReadUInt() > CreditBytes);
    }

    [Fact]
    public void A_subscriber_leaving_releases_the_publishers_it_held_back()
    {
        StallThePublisher();
        UseUpTheCredit();

        _broker.Disconnect(2);
        Assert.True(_broker.Expect(1, CommandCode.Credit).ReadUInt() > CreditBytes);
    }

    [Fact]
    public void Publishing_far_beyond_the_credit_is_refused()
    {
        StallThePublisher();

        // Stalled: a well-behaved peer stops here. This one goes on past the allowed overshoot of one frame.
        byte[] payload = new byte[4000];
        int refusedAfter = 0;
        for (int i = 0; i < 200 && _broker.Idle(1); i++)
        {
            _broker.From(1, Frames.Pub("nobody.listens", payload));
            refusedAfter = i;
        }

        Assert.InRange(refusedAfter, 1, 199);
        Assert.Equal(ErrorCode.LimitExceeded, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void Flow_controlled_deliveries_are_kept_when_the_peer_queue_is_full_and_resume_when_it_drains()
    {
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(1, Frames.Pub("orders.new", [1]));

        // The first went to the peer's backlog; with the queue backed up, the next ones wait in the broker
        // even though the window has room.
        _broker.From(1, Frames.Pub("orders.new", [2]));
        _broker.From(1, Frames.Pub("orders.new", [3]));
        Assert.Equal(2, _broker.Engine.GetStats().FlowWaits);

        _broker.Outcome = SendOutcome.Sent;
        _broker.Tick(100);
        Assert.Equal([1UL, 2UL, 3UL], [.. Enumerable.Range(0, 3).Select(_ => _broker.ExpectMsg(2).Seq)]);
        Assert.Equal(0, _broker.Engine.GetStats().DroppedMessages);
    }

    [Fact]
    public void Ack_on_a_plain_subscription_is_refused_and_on_an_unknown_one_ignored()
    {
        _broker.Subscribe(2, 6, "plain");
        _broker.From(2, Frames.Ack(6, 1));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(2).Code);

        _broker.From(2, Frames.Ack(999, 1));
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_queue_group_prefers_a_member_with_room()
    {
        _broker.Connect(3, "fast");
        _broker.From(2, Frames.Sub(12, 7, "jobs", "workers", window: 1));
        Assert.Equal(12UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
        _broker.From(3, Frames.Sub(13, 8, "jobs", "workers", window: 10));
        Assert.Equal(13UL, _broker.Expect(3, CommandCode.Ok).ReadUInt());

        for (int i = 0; i < 6; i++)
        {
            _broker.From(1, Frames.Pub("jobs", [(byte)i]));
        }

        int slow = Drain(2);
        int fast = Drain(3);
        Assert.Equal(1, slow);
        Assert.Equal(5, fast);
        Assert.Equal(0, _broker.Engine.GetStats().FlowWaits);
    }

    /// <summary>Fills the window of the slow subscriber and one more: the publisher has used little of its credit, but gets no more.</summary>
    private void StallThePublisher()
    {
        for (int i = 0; i < 4; i++)
        {
            _broker.From(1, Frames.Pub("orders.new", [(byte)i]));
        }

        Assert.True(_broker.Idle(1));
        Assert.Equal(1, _broker.Engine.GetStats().PublisherStalls);
    }

    /// <summary>A stalled publisher may still spend the credit it was given; after that it must wait.</summary>
    private void UseUpTheCredit()
    {
        for (int i = 0; i < 5; i++)
        {
            _broker.From(1, Frames.Pub("nobody.listens", new byte[4000]));
        }

        Assert.True(_broker.Idle(1));
    }

    private int Drain(uint key)
    {
        int count = 0;
        while (!_broker.Idle(key) && count < 100)
        {
            _broker.ExpectMsg(key);
            count++;
        }

        return count;
    }
}
