using MessagePack;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>Every REQ ends with exactly one REPLY, also when nobody serves, the server goes away or is too slow.</summary>
public sealed class RequestFailureTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxPayloadBytes = 1024 });

    public RequestFailureTests()
    {
        _broker.Connect(1, "requester");
        _broker.Connect(2, "server");
        _broker.Connect(3, "intruder");
        _broker.Serve(2, "inventory");
    }

    [Fact]
    public void No_responders_is_answered_at_once_and_is_not_a_refusal()
    {
        _broker.From(1, Frames.Req(9, "nobody.home"));

        EngineHarness.Answer reply = _broker.ExpectReply(1, 9);
        Assert.Equal(ErrorCode.NoResponders, reply.Status);
        Assert.Contains("nobody.home", reply.Error);
        Assert.Empty(reply.Payload);
        Assert.Equal(0, _broker.Engine.GetStats().Refused);
    }

    [Theory]
    [InlineData("inventory.*", ErrorCode.InvalidSubject)]
    [InlineData("a..b", ErrorCode.InvalidSubject)]
    public void A_request_to_an_invalid_name_is_answered_invalid_subject(string service, ErrorCode status)
    {
        _broker.From(1, Frames.Req(4, service));
        Assert.Equal(status, _broker.ExpectReply(1, 4).Status);
        Assert.Equal(1, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void A_request_payload_over_the_limit_is_answered_too_large_and_not_routed()
    {
        _broker.From(1, Frames.Req(4, "inventory", payload: new byte[1025]));
        Assert.Equal(ErrorCode.TooLarge, _broker.ExpectReply(1, 4).Status);
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void The_open_request_limit_is_enforced()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxOpenRequestsPerPeer = 1 });
        broker.Connect(1);
        broker.Connect(2);
        broker.Serve(2, "svc");
        broker.From(1, Frames.Req(1, "svc"));
        broker.From(1, Frames.Req(2, "svc"));
        Assert.Equal(ErrorCode.LimitExceeded, broker.ExpectReply(1, 2).Status);

        broker.From(2, Frames.Rep(broker.ExpectRequest(2).Bid));
        broker.ExpectReply(1, 1);
        broker.From(1, Frames.Req(3, "svc"));
        broker.ExpectRequest(2);
    }

    [Fact]
    public void Only_the_server_holding_a_request_may_answer_it_and_only_once()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;

        _broker.From(3, Frames.Rep(bid, [66]));
        EngineHarness.Refusal refusal = _broker.ExpectError(3);
        Assert.Equal((bid, ErrorCode.UnknownRequest), (refusal.Ref, refusal.Code));
        Assert.True(_broker.Idle(1));

        _broker.From(2, Frames.Batch(Frames.Rep(bid, [1]), Frames.Rep(bid, [2])));
        Assert.Equal([1], _broker.ExpectReply(1, 5).Payload);
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(2).Code);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_reply_to_a_request_never_made_is_unknown()
    {
        _broker.From(2, Frames.Rep(12345));
        Assert.Equal(new EngineHarness.Refusal(12345, ErrorCode.UnknownRequest, "this peer holds no request 12345 (never sent to it, already answered, or expired)"), _broker.ExpectError(2));
    }

    [Theory]
    [InlineData(ErrorCode.NoResponders)]
    [InlineData(ErrorCode.Timeout)]
    [InlineData(ErrorCode.ResponderLost)]
    public void A_server_cannot_send_a_status_only_the_broker_may_give(ErrorCode status)
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Rep(bid, status: status, error: "lie"));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(2).Code);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_status_that_only_looks_like_success_after_truncation_is_refused()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write((byte)CommandCode.Rep);
            w.Write(bid);
            w.Write(65536UL);
            w.WriteNil();
            w.WriteNil();
            w.Write(ReadOnlySpan<byte>.Empty);
        }));

        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(2).Code);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_reply_over_the_payload_limit_is_refused_and_the_requester_gets_a_remote_error()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Rep(bid, new byte[1025]));

        Assert.Equal(ErrorCode.TooLarge, _broker.ExpectError(2).Code);
        Assert.Equal(ErrorCode.RemoteError, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void A_server_that_disconnects_holding_a_request_makes_it_fail_with_responder_lost_at_once()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        _broker.ExpectRequest(2);

        _broker.Disconnect(2);

        EngineHarness.Answer reply = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.ResponderLost, reply.Status);
        Assert.Contains("'server'", reply.Error);
        Assert.Equal((0, 0), (_broker.Engine.GetStats().PendingRequests, _broker.Engine.GetStats().Services));
    }

    [Theory]
    [InlineData("bye")]
    [InlineData("hello")]
    [InlineData("timeout")]
    public void A_server_that_leaves_in_any_other_way_makes_its_requests_fail_with_responder_lost(string how)
    {
        _broker.From(1, Frames.Req(5, "inventory", timeoutMs: 60_000));
        _broker.ExpectRequest(2);

        switch (how)
        {
            case "bye": _broker.From(2, Frames.Bye()); break;
            case "hello": _broker.Connect(2, "server-again"); break;
            default:
                for (int i = 0; i < 4; i++)
                {
                    _broker.Tick(1000);
                    _broker.From(1, Frames.Heartbeat());
                    _broker.From(3, Frames.Heartbeat());
                }

                Assert.Equal(1, _broker.Engine.GetStats().PeersTimedOut);
                break;
        }

        _broker.SkipHeartbeats(1);
        Assert.Equal(ErrorCode.ResponderLost, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void Deadlines_still_fire_after_thousands_of_answered_requests()
    {
        _broker.From(1, Frames.Req(1, "inventory", timeoutMs: 300));
        ulong slow = _broker.ExpectRequest(2).Bid;
        for (ulong rid = 2; rid < 3_000; rid++)
        {
            _broker.From(1, Frames.Req(rid, "inventory", timeoutMs: 60_000));
            _broker.From(2, Frames.Rep(_broker.ExpectRequest(2).Bid));
            Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, rid).Status);
        }

        _broker.Tick(300);
        Assert.Equal(ErrorCode.Timeout, _broker.ExpectReply(1, 1).Status);
        Assert.Equal(slow, _broker.ExpectAbort(2).Bid);
        _broker.From(2, Frames.Rep(slow));
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(2).Code);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void A_request_past_its_deadline_times_out_and_a_late_reply_is_unknown()
    {
        _broker.From(1, Frames.Req(5, "inventory", timeoutMs: 200));
        ulong bid = _broker.ExpectRequest(2).Bid;

        _broker.Tick(199);
        Assert.True(_broker.Idle(1));
        _broker.Tick(1);
        EngineHarness.Answer reply = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.Timeout, reply.Status);
        Assert.Contains("inventory", reply.Error);
        Assert.Equal(bid, _broker.ExpectAbort(2).Bid);

        _broker.From(2, Frames.Rep(bid));
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(2).Code);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_reply_for_a_requester_that_is_gone_is_accepted_and_sent_nowhere()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.Disconnect(1);
        Assert.Equal((bid, "the requester went away"), _broker.ExpectAbort(2));

        _broker.From(2, Frames.Rep(bid, [1]));
        Assert.True(_broker.Idle(2));
        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }

    [Fact]
    public void A_second_hello_drops_the_requests_the_old_session_made()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.Connect(1, "requester-again");
        Assert.Equal(bid, _broker.ExpectAbort(2).Bid);

        _broker.From(2, Frames.Rep(bid, [1]));
        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(2));

        // The new session starts with no open requests and gets its own replies.
        _broker.From(1, Frames.Req(5, "inventory"));
        _broker.From(2, Frames.Rep(_broker.ExpectRequest(2).Bid, [2]));
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
    }
}
