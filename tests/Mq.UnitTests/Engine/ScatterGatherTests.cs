using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>REQALL in the broker: every server asked, each answer relayed with its server's id, one REPLY at the end.</summary>
public sealed class ScatterGatherTests
{
    private readonly EngineHarness _broker;
    private readonly string _first;
    private readonly string _second;

    public ScatterGatherTests()
    {
        (_broker, string[] servers) = EngineHarness.WithServers(new BrokerOptions { MaxRequestTimeout = TimeSpan.FromSeconds(10) }, "census", "first", "second");
        (_first, _second) = (servers[0], servers[1]);
    }

    [Fact]
    public void Every_server_is_asked_each_answer_is_relayed_with_its_server_and_a_reply_ends_it()
    {
        _broker.From(1, Frames.ReqAll(5, "census"));
        ulong toFirst = _broker.ExpectRequest(2).Bid;
        ulong toSecond = _broker.ExpectRequest(3).Bid;
        Assert.NotEqual(toFirst, toSecond);

        _broker.From(3, Frames.Rep(toSecond, [2]));
        _broker.From(2, Frames.Rep(toFirst, status: ErrorCode.RemoteError, error: "broken"));

        (ErrorCode status, byte[] payload, string responder) = _broker.ExpectGathered(1, 5);
        Assert.Equal((ErrorCode.None, _second), (status, responder));
        Assert.Equal([2], payload);
        (status, _, responder) = _broker.ExpectGathered(1, 5);
        Assert.Equal((ErrorCode.RemoteError, _first), (status, responder));
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void Max_replies_ends_it_early_and_aborts_the_servers_still_working()
    {
        _broker.From(1, Frames.ReqAll(5, "census", maxReplies: 1));
        ulong toFirst = _broker.ExpectRequest(2).Bid;
        ulong toSecond = _broker.ExpectRequest(3).Bid;

        _broker.From(2, Frames.Rep(toFirst, [1]));
        _broker.ExpectGathered(1, 5);
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
        Assert.Equal(toSecond, _broker.ExpectAbort(3).Bid);

        // The slower server's answer was on its way: dropped, no error.
        _broker.From(3, Frames.Rep(toSecond, [2]));
        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(3));
    }

    [Fact]
    public void The_deadline_ends_it_with_a_timeout_saying_how_many_answered()
    {
        _broker.From(1, Frames.ReqAll(5, "census", timeoutMs: 200));
        ulong toFirst = _broker.ExpectRequest(2).Bid;
        ulong toSecond = _broker.ExpectRequest(3).Bid;
        _broker.From(2, Frames.Rep(toFirst, [1]));
        _broker.ExpectGathered(1, 5);

        _broker.Tick(200);
        EngineHarness.Answer end = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.Timeout, end.Status);
        Assert.Contains("1 of 2 servers", end.Error);
        Assert.Equal(toSecond, _broker.ExpectAbort(3).Bid);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void A_server_that_goes_away_counts_as_answered_with_responder_lost()
    {
        _broker.From(1, Frames.ReqAll(5, "census"));
        _broker.ExpectRequest(2);
        ulong toSecond = _broker.ExpectRequest(3).Bid;

        _broker.Disconnect(2);
        (ErrorCode status, _, string responder) = _broker.ExpectGathered(1, 5);
        Assert.Equal((ErrorCode.ResponderLost, _first), (status, responder));
        _broker.From(3, Frames.Rep(toSecond, [2]));
        _broker.ExpectGathered(1, 5);
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void A_cancel_aborts_every_server_still_working_and_nothing_more_reaches_the_requester()
    {
        _broker.From(1, Frames.ReqAll(5, "census"));
        ulong toFirst = _broker.ExpectRequest(2).Bid;
        ulong toSecond = _broker.ExpectRequest(3).Bid;

        _broker.From(1, Frames.Cancel(5));
        Assert.Equal(toFirst, _broker.ExpectAbort(2).Bid);
        Assert.Equal(toSecond, _broker.ExpectAbort(3).Bid);
        _broker.From(2, Frames.Rep(toFirst, [1]));
        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void Nobody_serving_is_no_responders_at_once()
    {
        _broker.From(1, Frames.ReqAll(5, "nobody.home"));
        Assert.Equal(ErrorCode.NoResponders, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void A_scatter_gather_opening_more_requests_than_the_peer_may_have_is_refused_whole()
    {
        EngineHarness broker = EngineHarness.WithServers(new BrokerOptions { MaxOpenRequestsPerPeer = 1 }, "census", "first", "second").Broker;

        broker.From(1, Frames.ReqAll(5, "census"));
        Assert.Equal(ErrorCode.LimitExceeded, broker.ExpectReply(1, 5).Status);
        Assert.True(broker.Idle(2));
        Assert.True(broker.Idle(3));
    }

    [Fact]
    public void The_brokers_own_services_are_not_gathered()
    {
        _broker.From(1, Frames.ReqAll(5, "$SYS.info"));
        EngineHarness.Answer answer = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.NoResponders, answer.Status);
        Assert.Contains("not REQALL", answer.Error);
    }
}
