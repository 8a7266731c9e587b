using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>SERVE, UNSERVE, REQ and REP when things go right: routing, ids, deadlines handed on, load balancing.</summary>
public sealed class RequestRoutingTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxRequestTimeout = TimeSpan.FromSeconds(10) });

    public RequestRoutingTests()
    {
        _broker.Connect(1, "requester");
        _broker.Connect(2, "server");
        _broker.Serve(2, "inventory");
    }

    [Fact]
    public void A_request_reaches_the_server_under_a_broker_id_and_the_reply_comes_back_under_the_requesters_id()
    {
        var headers = new Dictionary<string, string> { ["trace"] = "t-9" };
        _broker.From(1, Frames.Req(rid: 5, "inventory", timeoutMs: 1000, payload: [7], headers));

        EngineHarness.Handed request = _broker.ExpectRequest(2);
        Assert.Equal("inventory", request.Service);
        Assert.Equal(1000UL, request.TimeoutMs);
        Assert.Equal(headers, request.Headers);
        Assert.Equal([7], request.Payload);
        Assert.Equal(1, _broker.Engine.GetStats().PendingRequests);

        var replyHeaders = new Dictionary<string, string> { ["status"] = "fresh" };
        _broker.From(2, Frames.Rep(request.Bid, [8, 9], headers: replyHeaders));

        EngineHarness.Answer reply = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.None, reply.Status);
        Assert.Null(reply.Error);
        Assert.Equal(replyHeaders, reply.Headers);
        Assert.Equal([8, 9], reply.Payload);
        Assert.True(_broker.Idle(2));
        Assert.Equal(0, _broker.Engine.GetStats().PendingRequests);
        Assert.Equal((1L, 1L), (_broker.Engine.GetStats().RequestsRouted, _broker.Engine.GetStats().RepliesRouted));
    }

    [Fact]
    public void Broker_ids_differ_even_when_two_requesters_use_the_same_rid()
    {
        _broker.Connect(3, "second-requester");
        _broker.From(1, Frames.Req(1, "inventory", payload: [1]));
        _broker.From(3, Frames.Req(1, "inventory", payload: [3]));
        EngineHarness.Handed first = _broker.ExpectRequest(2);
        EngineHarness.Handed second = _broker.ExpectRequest(2);
        Assert.NotEqual(first.Bid, second.Bid);

        _broker.From(2, Frames.Rep(second.Bid, [33]));
        _broker.From(2, Frames.Rep(first.Bid, [11]));
        Assert.Equal([33], _broker.ExpectReply(3, 1).Payload);
        Assert.Equal([11], _broker.ExpectReply(1, 1).Payload);
    }

    [Theory]
    [InlineData(ErrorCode.RemoteError, "handler failed")]
    [InlineData(ErrorCode.Overloaded, "busy")]
    public void A_servers_failure_status_and_message_reach_the_requester(ErrorCode status, string message)
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Rep(bid, status: status, error: message));

        EngineHarness.Answer reply = _broker.ExpectReply(1, 5);
        Assert.Equal((status, message), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData(0u, 10_000UL)]
    [InlineData(60_000u, 10_000UL)]
    [InlineData(250u, 250UL)]
    public void The_server_is_handed_the_deadline_cut_to_the_brokers_maximum(uint asked, ulong handed)
    {
        _broker.From(1, Frames.Req(5, "inventory", timeoutMs: asked));
        Assert.Equal(handed, _broker.ExpectRequest(2).TimeoutMs);
    }

    [Fact]
    public void Idle_servers_take_turns()
    {
        _broker.Connect(3, "second-server");
        _broker.Serve(3, "inventory");
        for (ulong rid = 1; rid <= 4; rid++)
        {
            _broker.From(1, Frames.Req(rid, "inventory"));
            uint server = _broker.Idle(2) ? 3u : 2u;
            _broker.From(server, Frames.Rep(_broker.ExpectRequest(server).Bid));
            _broker.ExpectReply(1, rid);
            Assert.Equal(rid % 2 == 1 ? 2u : 3u, server);
        }
    }

    [Fact]
    public void Requests_go_to_the_server_with_the_fewest_outstanding()
    {
        _broker.Connect(3, "second-server");
        _broker.Serve(3, "inventory");

        _broker.From(1, Frames.Req(1, "inventory"));
        _broker.From(1, Frames.Req(2, "inventory"));
        _broker.ExpectRequest(2);
        ulong held = _broker.ExpectRequest(3).Bid;
        _broker.From(3, Frames.Rep(held));
        _broker.ExpectReply(1, 2);

        // Server 2 still holds request 1 and server 3 holds nothing, so 3 gets the next ones while that lasts.
        _broker.From(1, Frames.Req(3, "inventory"));
        ulong next = _broker.ExpectRequest(3).Bid;
        _broker.From(3, Frames.Rep(next));
        _broker.From(1, Frames.Req(4, "inventory"));
        _broker.ExpectRequest(3);
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_peer_can_serve_and_request_itself_on_one_connection()
    {
        _broker.From(2, Frames.Req(77, "inventory", payload: [1]));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Rep(bid, [2]));
        Assert.Equal([2], _broker.ExpectReply(2, 77).Payload);
    }

    [Fact]
    public void Unserve_keeps_held_requests_and_stops_new_ones()
    {
        _broker.From(1, Frames.Req(5, "inventory"));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(2, Frames.Unserve(8, "inventory"));
        Assert.Equal(8UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());
        Assert.Equal(0, _broker.Engine.GetStats().Services);

        _broker.From(1, Frames.Req(6, "inventory"));
        Assert.Equal(ErrorCode.NoResponders, _broker.ExpectReply(1, 6).Status);
        _broker.From(2, Frames.Rep(bid));
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void Serving_twice_or_unserving_what_is_not_served_is_a_conflict()
    {
        _broker.From(2, Frames.Serve(11, "inventory"));
        Assert.Equal(new EngineHarness.Refusal(11, ErrorCode.Conflict, "already serving 'inventory'"), _broker.ExpectError(2));

        _broker.From(2, Frames.Unserve(12, "billing"));
        Assert.Equal(new EngineHarness.Refusal(12, ErrorCode.Conflict, "not serving 'billing'"), _broker.ExpectError(2));
    }

    [Theory]
    [InlineData("inventory.*")]
    [InlineData(">")]
    [InlineData("a..b")]
    public void A_service_name_with_wildcards_or_empty_tokens_cannot_be_served(string service)
    {
        _broker.From(2, Frames.Serve(13, service));
        EngineHarness.Refusal refusal = _broker.ExpectError(2);
        Assert.Equal((13UL, ErrorCode.InvalidSubject), (refusal.Ref, refusal.Code));
        Assert.Equal(1, _broker.Engine.GetStats().Services);
    }

    [Fact]
    public void The_service_limit_is_enforced()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxServicesPerPeer = 1 });
        broker.Connect(1);
        broker.Serve(1, "one");
        broker.From(1, Frames.Serve(2, "two"));
        Assert.Equal(ErrorCode.LimitExceeded, broker.ExpectError(1).Code);
    }
}
