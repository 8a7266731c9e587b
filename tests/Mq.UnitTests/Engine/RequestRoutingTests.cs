using MessagePack;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

public sealed class RequestRoutingTests
{
    private readonly EngineHarness _broker = new();

    public RequestRoutingTests()
    {
        _broker.Connect(1, "requester");
        _broker.Connect(2, "server");
        _broker.Connect(3, "intruder");
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 1, "inventory"));
        _broker.Expect(2, CommandCode.Ok);
    }

    [Fact]
    public void A_request_reaches_the_server_under_a_broker_id_and_the_reply_comes_back_under_the_requesters_id()
    {
        Request(rid: 5, timeoutMs: 1000, payload: [7]);
        ulong bid = ExpectRequest(2, out uint timeout, out byte[] payload);
        Assert.Equal(1000u, timeout);
        Assert.Equal([7], payload);

        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, [8]));

        (ErrorCode status, _, byte[] reply) = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.None, status);
        Assert.Equal([8], reply);
    }

    [Fact]
    public void No_responders_is_answered_at_once()
    {
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, 9, "nobody", 1000, null, []));
        (ErrorCode status, string? error, _) = _broker.ExpectReply(1, 9);
        Assert.Equal(ErrorCode.NoResponders, status);
        Assert.Contains("nobody", error);
    }

    [Fact]
    public void Only_the_server_holding_a_request_may_answer_it_and_only_once()
    {
        Request(5);
        ulong bid = ExpectRequest(2, out _, out _);

        _broker.From(3, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, [66]));
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(3, out _));
        Assert.True(_broker.Idle(1));

        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, []));
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, []));
        _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(2, out _));
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_server_cannot_fake_broker_statuses()
    {
        Request(5);
        ulong bid = ExpectRequest(2, out _, out _);
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.NoResponders, "lie", null, []));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(2, out _));
    }

    [Fact]
    public void A_server_that_disconnects_holding_a_request_makes_it_fail_with_responder_lost()
    {
        Request(5);
        ExpectRequest(2, out _, out _);

        _broker.Engine.OnDisconnected(2, _broker.Now);
        _broker.Engine.Flush(_broker.Now);

        (ErrorCode status, string? error, _) = _broker.ExpectReply(1, 5);
        Assert.Equal(ErrorCode.ResponderLost, status);
        Assert.Contains("server", error);
    }

    [Fact]
    public void A_request_past_its_deadline_times_out()
    {
        Request(5, timeoutMs: 200);
        ulong bid = ExpectRequest(2, out _, out _);

        _broker.Tick(100);
        Assert.True(_broker.Idle(1));
        _broker.Tick(150);
        Assert.Equal(ErrorCode.Timeout, _broker.ExpectReply(1, 5).Status);

        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, []));
        Assert.Equal(ErrorCode.UnknownRequest, _broker.ExpectError(2, out _));
    }

    [Fact]
    public void Requests_go_to_the_least_busy_server()
    {
        _broker.Connect(4, "second-server");
        _broker.From(4, (ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 1, "inventory"));
        _broker.Expect(4, CommandCode.Ok);

        Request(1);
        Request(2);
        ExpectRequest(2, out _, out _);
        ulong held = ExpectRequest(4, out _, out _);
        _broker.From(4, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, held, ErrorCode.None, null, null, []));
        _broker.ExpectReply(1, 2);

        // Server 2 still holds request 1; server 4 is idle, so the next two both go to 4 while 2 stays busy.
        Request(3);
        ulong next = ExpectRequest(4, out _, out _);
        _broker.From(4, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, next, ErrorCode.None, null, null, []));
        Request(4);
        ExpectRequest(4, out _, out _);
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void Unserve_keeps_held_requests_and_stops_new_ones()
    {
        Request(5);
        ulong bid = ExpectRequest(2, out _, out _);
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteUnserve(ref w, 2, "inventory"));
        _broker.Expect(2, CommandCode.Ok);

        Request(6);
        Assert.Equal(ErrorCode.NoResponders, _broker.ExpectReply(1, 6).Status);
        _broker.From(2, (ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, ErrorCode.None, null, null, []));
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
    }

    private void Request(ulong rid, uint timeoutMs = 5000, byte[]? payload = null) =>
        _broker.From(1, (ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, rid, "inventory", timeoutMs, null, payload ?? []));

    private ulong ExpectRequest(uint server, out uint timeoutMs, out byte[] payload)
    {
        CommandReader request = _broker.Expect(server, CommandCode.Request);
        ulong bid = request.ReadUInt();
        Assert.Equal("inventory", request.ReadString(256));
        timeoutMs = (uint)request.ReadUInt();
        request.ReadHeadersRaw();
        payload = request.ReadBinary().ToArray();
        return bid;
    }
}
