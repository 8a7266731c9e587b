using MessagePack;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// The broker-answered <c>$SYS.info</c>, <c>$SYS.stats</c>, <c>$SYS.peers</c>, <c>$SYS.subs</c> and <c>$SYS.services</c>:
/// MessagePack maps with string keys that describe the engine as it is, lists capped with the number left out.
/// </summary>
public sealed class SystemServiceTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { Name = "sys-test", MaxPayloadBytes = 64 * 1024 });
    private ulong _rid;

    public SystemServiceTests()
    {
        _broker.Connect(1, "asker");
        _broker.Connect(2, "server");
        _broker.Serve(2, "work");
        _broker.Subscribe(2, 1, "orders.>", group: "billing");
    }

    [Fact]
    public void Info_names_the_broker_its_security_and_its_limits()
    {
        Dictionary<object, object> info = Ask(SystemServices.Info);

        Assert.Equal("sys-test", info["name"]);
        Assert.Equal("plaintext", info["security"]);
        Assert.Equal(64L * 1024, Convert.ToInt64(info["max_payload"]));
        Assert.Equal([_broker.Options.Endpoint], (object[])info["endpoints"]);
        Assert.True(Convert.ToInt64(info["uptime_ms"]) >= 0);
    }

    [Fact]
    public void Stats_carry_every_counter_and_gauge()
    {
        _broker.From(1, Frames.Pub("orders.new", [1]));
        _broker.ExpectMsg(2);

        Dictionary<object, object> stats = Ask(SystemServices.Stats);

        Assert.Equal(2L, Convert.ToInt64(stats["peers"]));
        Assert.Equal(1L, Convert.ToInt64(stats["messages_published"]));
        Assert.Equal(1L, Convert.ToInt64(stats["messages_delivered"]));
        Assert.Equal(typeof(BrokerStats).GetProperties().Length, stats.Count);
    }

    [Fact]
    public void Peers_list_each_ready_peer_with_what_it_holds()
    {
        Dictionary<object, object> reply = Ask(SystemServices.Peers);

        Assert.Equal(2L, Convert.ToInt64(reply["total"]));
        Assert.Equal(0L, Convert.ToInt64(reply["omitted"]));
        var server = ((object[])reply["peers"]).Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == "server");
        Assert.Equal("127.0.0.1", server["address"]);
        Assert.Equal(1L, Convert.ToInt64(server["subscriptions"]));
        Assert.Equal(1L, Convert.ToInt64(server["services"]));
        Assert.NotEqual("", (string)server["peer_id"]);
    }

    [Fact]
    public void A_flow_controlled_subscriptions_queue_depth_is_counted_in_messages()
    {
        _broker.From(2, Frames.Sub(77, 9, "flow.>", window: 2));
        _broker.Expect(2, CommandCode.Ok);
        for (int i = 0; i < 5; i++)
        {
            _broker.From(1, Frames.Pub("flow.x", [(byte)i]));
        }

        var sub = ((object[])Ask(SystemServices.Subs)["subs"]).Cast<Dictionary<object, object>>().Single(s => (string)s["pattern"] == "flow.>");
        var server = ((object[])Ask(SystemServices.Peers)["peers"]).Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == "server");

        Assert.Equal(2L, Convert.ToInt64(sub["unacked"]));
        Assert.Equal(3L, Convert.ToInt64(sub["waiting"]));
        Assert.Equal(5L, Convert.ToInt64(server["queued_messages"]));
    }

    [Fact]
    public void A_peers_queued_bytes_count_what_its_connection_has_not_sent_yet()
    {
        _broker.TransportQueued[2] = 40_000;

        var server = ((object[])Ask(SystemServices.Peers)["peers"]).Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == "server");

        Assert.True(Convert.ToInt64(server["queued_bytes"]) >= 40_000);
    }

    [Fact]
    public void Subs_list_pattern_group_peer_and_deliveries()
    {
        _broker.From(1, Frames.Pub("orders.new", [1]));
        _broker.ExpectMsg(2);

        var sub = (Dictionary<object, object>)Assert.Single((object[])Ask(SystemServices.Subs)["subs"]);

        Assert.Equal("orders.>", sub["pattern"]);
        Assert.Equal("billing", sub["queue_group"]);
        Assert.Equal("server", sub["peer"]);
        Assert.Equal(false, sub["flow_controlled"]);
        Assert.Equal(1L, Convert.ToInt64(sub["delivered"]));
    }

    [Fact]
    public void Services_count_servers_and_requests_in_flight()
    {
        _broker.From(1, Frames.Req(rid: 900, "work", timeoutMs: 5000, payload: [1]));
        _broker.ExpectRequest(2);

        var service = (Dictionary<object, object>)Assert.Single((object[])Ask(SystemServices.Services)["services"]);

        Assert.Equal("work", service["name"]);
        Assert.Equal(1L, Convert.ToInt64(service["servers"]));
        Assert.Equal(1L, Convert.ToInt64(service["in_flight"]));
    }

    [Fact]
    public void Services_count_how_each_request_ended_and_its_latency()
    {
        _broker.From(1, Frames.Req(rid: 901, "work", timeoutMs: 5000, payload: [1]));
        _broker.From(2, Frames.Rep(_broker.ExpectRequest(2).Bid, [7]));
        _broker.ExpectReply(1, 901);
        _broker.From(1, Frames.Req(rid: 902, "work", timeoutMs: 5000, payload: [1]));
        _broker.From(2, Frames.Rep(_broker.ExpectRequest(2).Bid, [], ErrorCode.RemoteError, "boom"));
        _broker.ExpectReply(1, 902);
        _broker.From(1, Frames.Req(rid: 903, "work", timeoutMs: 100, payload: [1]));
        _broker.ExpectRequest(2);
        _broker.Tick(200);
        _broker.ExpectReply(1, 903);

        var service = (Dictionary<object, object>)Assert.Single((object[])Ask(SystemServices.Services)["services"]);

        Assert.Equal(3L, Convert.ToInt64(service["requests"]));
        Assert.Equal(1L, Convert.ToInt64(service["replies"]));
        Assert.Equal(1L, Convert.ToInt64(service["errors"]));
        Assert.Equal(1L, Convert.ToInt64(service["timeouts"]));
        Assert.Equal(0L, Convert.ToInt64(service["lost"]));
        Assert.Equal(0L, Convert.ToInt64(service["in_flight"]));
        long p50 = Convert.ToInt64(service["latency_p50_us"]);
        Assert.Contains(p50, Mq.Broker.Routing.ServiceStats.BucketBoundsUs);
        Assert.True(Convert.ToInt64(service["latency_p99_us"]) >= p50);
    }

    [Fact]
    public void A_long_list_stops_within_the_payload_limit_and_says_how_many_were_left_out()
    {
        SubscribeMany(_broker, SystemServices.MaxEntries + 10);

        EngineHarness.Answer answer = AskRaw(_broker, SystemServices.Subs);
        Dictionary<object, object> reply = Read(answer);

        // 64 KiB holds a few hundred entries of ~100 bytes: the byte budget, not the entry cap, ends this list.
        int listed = ((object[])reply["subs"]).Length;
        Assert.True(answer.Payload.Length <= _broker.Options.MaxPayloadBytes, $"{answer.Payload.Length} bytes");
        Assert.InRange(listed, 100, SystemServices.MaxEntries - 1);
        Assert.Equal(SystemServices.MaxEntries + 11L, Convert.ToInt64(reply["total"]));
        Assert.Equal(SystemServices.MaxEntries + 11L - listed, Convert.ToInt64(reply["omitted"]));
    }

    [Fact]
    public void A_long_list_holds_at_most_MaxEntries()
    {
        var broker = new EngineHarness();
        broker.Connect(1, "asker");
        SubscribeMany(broker, SystemServices.MaxEntries + 10);

        Dictionary<object, object> reply = Read(AskRaw(broker, SystemServices.Subs));

        Assert.Equal(SystemServices.MaxEntries, ((object[])reply["subs"]).Length);
        Assert.Equal(10L, Convert.ToInt64(reply["omitted"]));
    }

    [Fact]
    public void An_unknown_name_under_SYS_is_answered_NoResponders_naming_the_services()
    {
        _broker.From(1, Frames.Req(rid: 901, "$SYS.nope", timeoutMs: 1000, payload: []));

        EngineHarness.Answer reply = _broker.ExpectReply(1, 901);
        Assert.Equal(ErrorCode.NoResponders, reply.Status);
        Assert.Contains("$SYS.peers", reply.Error);
    }

    private static void SubscribeMany(EngineHarness broker, int count)
    {
        for (ulong sid = 1; sid <= (ulong)count; sid++)
        {
            broker.Subscribe(1, 1000 + sid, $"many.s{sid}");
        }
    }

    private static EngineHarness.Answer AskRaw(EngineHarness broker, string service)
    {
        broker.From(1, Frames.Req(999, service, timeoutMs: 1000, payload: []));
        EngineHarness.Answer reply = broker.ExpectReply(1, 999);
        Assert.Equal(ErrorCode.None, reply.Status);
        return reply;
    }

    private static Dictionary<object, object> Read(EngineHarness.Answer reply) =>
        MessagePackSerializer.Deserialize<Dictionary<object, object>>(reply.Payload, MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData));

    private Dictionary<object, object> Ask(string service)
    {
        ulong rid = ++_rid;
        _broker.From(1, Frames.Req(rid, service, timeoutMs: 1000, payload: []));
        EngineHarness.Answer reply = _broker.ExpectReply(1, rid);
        Assert.Equal(ErrorCode.None, reply.Status);
        return Read(reply);
    }
}
