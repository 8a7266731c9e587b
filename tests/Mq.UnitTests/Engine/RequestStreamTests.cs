using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>CANCEL, REPPART and GRANT in the broker: cancellation reaches the server, parts flow within credit, and hostile commands get one ERROR.</summary>
public sealed class RequestStreamTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxRequestTimeout = TimeSpan.FromSeconds(10), MaxFlowWindow = 8 });

    public RequestStreamTests()
    {
        _broker.Connect(1, "requester");
        _broker.Connect(2, "server");
        _broker.Serve(2, "numbers");
    }

    [Fact]
    public void A_cancel_aborts_the_request_at_its_server_and_a_crossing_reply_is_dropped_quietly()
    {
        _broker.From(1, Frames.Req(5, "numbers"));
        ulong bid = _broker.ExpectRequest(2).Bid;

        _broker.From(1, Frames.Cancel(5));
        Assert.Equal((bid, "the requester cancelled"), _broker.ExpectAbort(2));
        Assert.True(_broker.Idle(1));

        _broker.From(2, Frames.Rep(bid, [1]));
        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(2));
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void A_cancel_frees_the_requesters_open_request_slot_at_once()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxOpenRequestsPerPeer = 1 });
        broker.Connect(1, "requester");
        broker.Connect(2, "server");
        broker.Serve(2, "numbers");
        broker.From(1, Frames.Req(1, "numbers"));
        broker.ExpectRequest(2);
        broker.From(1, Frames.Cancel(1));

        broker.From(1, Frames.Req(2, "numbers"));
        broker.ExpectAbort(2);
        Assert.Equal("numbers", broker.ExpectRequest(2).Service);
    }

    [Fact]
    public void A_cancel_for_no_open_request_is_one_error_naming_it()
    {
        _broker.From(1, Frames.Cancel(99));

        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(1);
        Assert.Equal((99UL, ErrorCode.UnknownRequest, CommandCode.Cancel), (refusal.Ref, refusal.Code, command));
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void Another_peers_rid_names_nothing_so_its_request_is_untouched()
    {
        _broker.Connect(3, "intruder");
        _broker.From(1, Frames.Req(5, "numbers"));
        ulong bid = _broker.ExpectRequest(2).Bid;

        _broker.From(3, Frames.Cancel(5));
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(3).Code);
        Assert.True(_broker.Idle(2));

        _broker.From(2, Frames.Rep(bid, [7]));
        Assert.Equal([7], _broker.ExpectReply(1, 5).Payload);
    }

    [Fact]
    public void Parts_reach_the_requester_in_order_then_the_final_reply_ends_the_stream()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 4));
        (ulong bid, ulong window) = _broker.ExpectStreamRequest(2);
        Assert.Equal(4UL, window);

        _broker.From(2, Frames.RepPart(bid, [1]));
        _broker.From(2, Frames.RepPart(bid, [2]));
        _broker.From(2, Frames.Rep(bid, [9]));

        Assert.Equal([1], _broker.ExpectPart(1, 5));
        Assert.Equal([2], _broker.ExpectPart(1, 5));
        Assert.Equal([9], _broker.ExpectReply(1, 5).Payload);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void The_window_is_cut_to_the_brokers_maximum_and_sent_to_the_server()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 1_000));
        Assert.Equal(8UL, _broker.ExpectStreamRequest(2).Window);
    }

    [Fact]
    public void A_part_past_the_credit_is_refused_and_ends_the_request_for_both_sides()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 2));
        ulong bid = _broker.ExpectStreamRequest(2).Bid;
        _broker.From(2, Frames.RepPart(bid, [1]));
        _broker.From(2, Frames.RepPart(bid, [2]));
        _broker.From(2, Frames.RepPart(bid, [3]));

        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(2);
        Assert.Equal((bid, ErrorCode.LimitExceeded, CommandCode.RepPart), (refusal.Ref, refusal.Code, command));
        _broker.ExpectPart(1, 5);
        _broker.ExpectPart(1, 5);
        EngineHarness.Answer end = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.RemoteError, end.Status);
        Assert.Contains("more parts than the requester granted", end.Error);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void A_grant_is_forwarded_to_the_server_and_lets_it_send_more()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 2));
        ulong bid = _broker.ExpectStreamRequest(2).Bid;
        _broker.From(2, Frames.RepPart(bid, [1]));
        _broker.From(2, Frames.RepPart(bid, [2]));

        _broker.From(1, Frames.Grant(5, 2));
        Assert.Equal(2UL, _broker.ExpectGranted(2, bid));
        _broker.From(2, Frames.RepPart(bid, [3]));
        _broker.From(2, Frames.RepPart(bid, [4]));

        Assert.Equal([[1], [2], [3], [4]], Enumerable.Range(0, 4).Select(_ => _broker.ExpectPart(1, 5)).ToArray());
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_grant_beyond_the_window_is_refused_and_cut_to_the_room_left()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 4));
        ulong bid = _broker.ExpectStreamRequest(2).Bid;
        _broker.From(2, Frames.RepPart(bid, [1]));
        _broker.ExpectPart(1, 5);

        _broker.From(1, Frames.Grant(5, uint.MaxValue));
        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(1);
        Assert.Equal((5UL, ErrorCode.LimitExceeded, CommandCode.Grant), (refusal.Ref, refusal.Code, command));
        Assert.Equal(1UL, _broker.ExpectGranted(2, bid));
    }

    [Fact]
    public void Parts_and_grants_for_a_request_that_is_not_a_stream_are_refused_and_it_stays_open()
    {
        _broker.From(1, Frames.Req(5, "numbers"));
        ulong bid = _broker.ExpectRequest(2).Bid;

        _broker.From(2, Frames.RepPart(bid, [1]));
        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(2);
        Assert.Equal((bid, ErrorCode.Malformed, CommandCode.RepPart), (refusal.Ref, refusal.Code, command));
        _broker.From(1, Frames.Grant(5, 1));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);

        _broker.From(2, Frames.Rep(bid, [9]));
        Assert.Equal([9], _broker.ExpectReply(1, 5).Payload);
    }

    [Fact]
    public void A_part_for_a_request_held_by_another_peer_is_unknown_and_reaches_nobody()
    {
        _broker.Connect(3, "intruder");
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 4));
        ulong bid = _broker.ExpectStreamRequest(2).Bid;

        _broker.From(3, Frames.RepPart(bid, [66]));
        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(3);
        Assert.Equal((bid, ErrorCode.UnknownRequest, CommandCode.RepPart), (refusal.Ref, refusal.Code, command));
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_part_over_the_payload_limit_is_refused_and_ends_the_request()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxPayloadBytes = 16 });
        broker.Connect(1, "requester");
        broker.Connect(2, "server");
        broker.Serve(2, "numbers");
        broker.From(1, Frames.StreamReq(5, "numbers", window: 4));
        ulong bid = broker.ExpectStreamRequest(2).Bid;

        broker.From(2, Frames.RepPart(bid, new byte[17]));
        Assert.Equal(ErrorCode.TooLarge, broker.ExpectError(2).Code);
        Assert.Equal(ErrorCode.RemoteError, broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void Each_part_and_grant_starts_a_streams_deadline_again()
    {
        _broker.From(1, Frames.StreamReq(5, "numbers", window: 4, timeoutMs: 200));
        ulong bid = _broker.ExpectStreamRequest(2).Bid;
        _broker.Tick(150);
        _broker.From(2, Frames.RepPart(bid, [1]));
        _broker.ExpectPart(1, 5);
        _broker.Tick(150);
        _broker.From(1, Frames.Grant(5, 1));
        _broker.ExpectGranted(2, bid);
        _broker.Tick(150);
        _broker.SkipHeartbeats(1);
        Assert.True(_broker.Idle(1));

        _broker.Tick(50);
        _broker.SkipHeartbeats(1);
        Assert.Equal(ErrorCode.Timeout, _broker.ExpectReply(1, 5).Status);
        _broker.SkipHeartbeats(2);
        Assert.Equal(bid, _broker.ExpectAbort(2).Bid);
    }
}
