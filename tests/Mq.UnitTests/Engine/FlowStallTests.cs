using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// Flow control cannot be turned into a weapon: a flow-controlled subscription that holds its publishers back
/// longer than <see cref="BrokerOptions.MaxFlowStall"/>, or lets more wait than a byte budget, is cut off as a
/// slow consumer (DROPPED for what waited, REVOKED with LimitExceeded), and the publishers go on at once.
/// </summary>
public sealed class FlowStallTests
{
    private const int StallMs = 1000;
    private readonly EngineHarness _broker = new(new BrokerOptions
    {
        PublisherCreditBytes = 1024 * 1024,
        MaxPayloadBytes = 64 * 1024,
        MaxFlowWindow = 100,
        MaxFlowStall = TimeSpan.FromMilliseconds(StallMs),
        MaxFlowWaitBytes = 64 * 1024,
        MaxFlowWaitBytesPerPeer = 64 * 1024,
        MaxFlowWaitBytesTotal = 64 * 1024,
    });

    public FlowStallTests()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "stuck");
        _broker.Connect(3, "healthy");
        _broker.Subscribe(3, 1, "feed");
    }

    [Fact]
    public void The_ok_of_a_flow_controlled_sub_names_the_window_in_force()
    {
        _broker.From(2, Frames.Sub(10, 5, "feed", window: 1_000_000));
        CommandReader ok = _broker.Expect(2, CommandCode.Ok);
        Assert.Equal(10UL, ok.ReadUInt());
        Assert.Equal(100UL, ok.ReadUInt());
        ok.EndCommand();

        _broker.From(2, Frames.Sub(11, 6, "plain"));
        CommandReader plain = _broker.Expect(2, CommandCode.Ok);
        Assert.Equal(11UL, plain.ReadUInt());
        Assert.False(plain.HasMoreFields);
    }

    [Fact]
    public void A_subscription_that_holds_a_publisher_back_past_the_bound_is_cut_off_and_the_publisher_released()
    {
        SubscribeStuck(window: 1);
        for (int i = 1; i <= 3; i++)
        {
            _broker.From(1, Frames.Pub("feed", [(byte)i]));
        }

        Assert.Equal(1UL, _broker.ExpectMsg(2).Seq);
        Assert.Equal(3, Drain(3));

        // More than half its credit spent: a publisher that is not held back would be granted more now.
        for (int i = 0; i < 20; i++)
        {
            _broker.From(1, Frames.Pub("nobody.listens", new byte[30 * 1024]));
        }

        Assert.True(_broker.Idle(1));
        _broker.Tick(StallMs / 2);
        SkipHeartbeats();
        Assert.True(_broker.Idle(2), "within the bound nothing happens");
        Assert.True(_broker.Idle(1), "the publisher is still held back");

        _broker.Tick(StallMs);
        SkipHeartbeats();
        ExpectCutOff(2, sid: 5, dropped: 2, lastSeq: 3, "MaxFlowStall");
        Assert.True(_broker.Expect(1, CommandCode.Credit).ReadUInt() > 1024 * 1024);

        BrokerStats stats = _broker.Engine.GetStats();
        Assert.Equal(1, stats.SlowConsumers);
        Assert.Equal(2, stats.DroppedMessages);

        // The stuck subscription is gone; everyone else goes on.
        _broker.From(1, Frames.Pub("feed", [4]));
        Assert.Equal(4UL, _broker.ExpectMsg(3).Seq);
        Assert.True(_broker.Idle(2));
        _broker.From(2, Frames.Ack(5, 1));
        Assert.True(_broker.Idle(2), "an ACK for the revoked sid crosses the REVOKED and is ignored");
    }

    [Fact]
    public void A_subscriber_that_catches_up_within_the_bound_keeps_its_subscription_and_the_clock_restarts()
    {
        SubscribeStuck(window: 1);
        _broker.From(1, Frames.Pub("feed", [1]));
        _broker.From(1, Frames.Pub("feed", [2]));
        _broker.ExpectMsg(2);

        _broker.Tick(StallMs * 3 / 4);
        _broker.From(2, Frames.Ack(5, 1));
        Assert.Equal(2UL, _broker.ExpectMsg(2).Seq);

        // Held back again: measured from the new stall, not the first one.
        _broker.From(1, Frames.Pub("feed", [3]));
        _broker.Tick(StallMs * 3 / 4);
        SkipHeartbeats();
        Assert.True(_broker.Idle(2));
        Assert.Equal(0, _broker.Engine.GetStats().SlowConsumers);

        _broker.From(2, Frames.Ack(5, 1));
        Assert.Equal(3UL, _broker.ExpectMsg(2).Seq);
    }

    [Fact]
    public void More_waiting_than_the_subscription_budget_cuts_it_off_at_once()
    {
        SubscribeStuck(window: 1);
        byte[] payload = new byte[30 * 1024];
        for (int i = 0; i < 3; i++)
        {
            _broker.From(1, Frames.Pub("feed", payload));
        }

        Assert.Equal(1UL, _broker.ExpectMsg(2).Seq);
        Assert.True(_broker.Idle(2), "two waiting: 60 KiB, within the 64 KiB budget");

        _broker.From(1, Frames.Pub("feed", payload));
        ExpectCutOff(2, sid: 5, dropped: 3, lastSeq: 4, "MaxFlowWaitBytes (");
        Assert.Equal(4, Drain(3));
    }

    [Fact]
    public void More_waiting_than_the_connection_budget_cuts_off_the_subscription_that_passed_it()
    {
        SubscribeStuck(window: 1);
        _broker.From(2, Frames.Sub(12, 6, "other", window: 1));
        Assert.Equal(12UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
        byte[] payload = new byte[25 * 1024];
        _broker.From(1, Frames.Pub("feed", payload));
        _broker.From(1, Frames.Pub("feed", payload));
        _broker.From(1, Frames.Pub("other", payload));
        _broker.From(1, Frames.Pub("other", payload));
        _broker.ExpectMsg(2);
        _broker.ExpectMsg(2);
        Assert.True(_broker.Idle(2), "50 KiB waiting on the connection");

        _broker.From(1, Frames.Pub("other", payload));
        ExpectCutOff(2, sid: 6, dropped: 2, lastSeq: 3, "MaxFlowWaitBytesPerPeer");

        // The other subscription of the same connection still works.
        _broker.From(2, Frames.Ack(5, 1));
        Assert.Equal(2UL, _broker.ExpectMsg(2).Seq);
    }

    [Fact]
    public void Past_the_broker_total_the_subscription_with_the_most_waiting_is_cut_off_not_the_newcomer()
    {
        SubscribeStuck(window: 1);
        _broker.Connect(4, "modest");
        _broker.From(4, Frames.Sub(13, 7, "small", window: 1));
        _broker.Expect(4, CommandCode.Ok);

        _broker.From(1, Frames.Pub("feed", new byte[1]));
        _broker.From(1, Frames.Pub("feed", new byte[50 * 1024]));
        _broker.From(1, Frames.Pub("small", new byte[1]));
        _broker.From(1, Frames.Pub("small", new byte[10 * 1024]));
        _broker.ExpectMsg(2);
        _broker.ExpectMsg(4);
        Assert.True(_broker.Idle(2));

        _broker.From(1, Frames.Pub("small", new byte[10 * 1024]));
        ExpectCutOff(2, sid: 5, dropped: 1, lastSeq: 2, "MaxFlowWaitBytesTotal");
        Assert.True(_broker.Idle(4), "the modest subscriber keeps its waiting deliveries");
        _broker.From(4, Frames.Ack(7, 1));
        Assert.Equal(2UL, _broker.ExpectMsg(4).Seq);
    }

    private void SubscribeStuck(uint window)
    {
        _broker.From(2, Frames.Sub(10, 5, "feed", window: window));
        Assert.Equal(10UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
    }

    private void ExpectCutOff(uint key, ulong sid, ulong dropped, ulong lastSeq, string reasonNames)
    {
        CommandReader advisory = _broker.Expect(key, CommandCode.Dropped);
        Assert.Equal([sid, dropped, lastSeq], [advisory.ReadUInt(), advisory.ReadUInt(), advisory.ReadUInt()]);

        CommandReader revoked = _broker.Expect(key, CommandCode.Revoked);
        Assert.Equal(sid, revoked.ReadUInt());
        Assert.Null(revoked.ReadStringOrNil(64));
        string reason = revoked.ReadString(1024);
        Assert.Contains("slow consumer", reason);
        Assert.Contains(reasonNames, reason);
        Assert.Equal(ErrorCode.LimitExceeded, (ErrorCode)revoked.ReadUInt());
    }

    private void SkipHeartbeats()
    {
        foreach (uint key in new uint[] { 1, 2, 3 })
        {
            _broker.SkipHeartbeats(key);
        }
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
