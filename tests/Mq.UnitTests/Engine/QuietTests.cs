using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// <c>$SYS.quiet</c> in the engine alone (no transport, so no PINGs to wait for): answered once nothing is in flight,
/// Timeout at its deadline otherwise, and never servable by a peer.
/// </summary>
public sealed class QuietTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxRequestTimeout = TimeSpan.FromSeconds(10) });

    public QuietTests()
    {
        _broker.Connect(1, "asker");
        _broker.Connect(2, "server");
        _broker.Serve(2, "work");
    }

    [Fact]
    public void An_idle_broker_answers_true()
    {
        _broker.From(1, Frames.Req(rid: 3, "$SYS.quiet", timeoutMs: 1000, payload: [0xC3]));
        _broker.Tick(1);

        EngineHarness.Answer reply = _broker.ExpectReply(1, 3);
        Assert.Equal(ErrorCode.None, reply.Status);
        Assert.Equal([0xC3], reply.Payload);
    }

    [Fact]
    public void A_request_in_flight_holds_the_answer_until_its_reply_is_routed()
    {
        _broker.From(1, Frames.Req(rid: 4, "work", timeoutMs: 5000, payload: [1]));
        ulong bid = _broker.ExpectRequest(2).Bid;
        _broker.From(1, Frames.Req(rid: 5, "$SYS.quiet", timeoutMs: 5000, payload: [0xC3]));
        _broker.Tick(1);
        Assert.True(_broker.Idle(1));

        _broker.From(2, Frames.Rep(bid, [2]));
        _broker.Tick(1);
        _broker.Tick(1);

        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 4).Status);
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void A_broker_still_busy_at_the_deadline_answers_Timeout_saying_why()
    {
        _broker.From(1, Frames.Req(rid: 6, "work", timeoutMs: 5000, payload: [1]));
        _broker.ExpectRequest(2);
        _broker.From(1, Frames.Req(rid: 7, "$SYS.quiet", timeoutMs: 100, payload: [0xC3]));
        _broker.Tick(150);

        EngineHarness.Answer reply = _broker.ExpectReply(1, 7);
        Assert.Equal(ErrorCode.Timeout, reply.Status);
        Assert.Contains("1 request(s) in flight", reply.Error);
    }

    [Fact]
    public void No_peer_may_serve_a_name_under_SYS()
    {
        _broker.From(2, Frames.Serve(8, "$SYS.quiet"));

        EngineHarness.Refusal refusal = _broker.ExpectError(2);
        Assert.Equal(ErrorCode.PermissionDenied, refusal.Code);
        Assert.Contains("only the broker serves", refusal.Message);
    }
}
