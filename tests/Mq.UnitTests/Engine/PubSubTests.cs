using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>SUB, UNSUB and PUB through the engine: deliveries, wildcards, queue groups and refusals.</summary>
public sealed class PubSubTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxPayloadBytes = 1024 });

    public PubSubTests()
    {
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "subscriber");
        _broker.Connect(3, "other");
    }

    [Fact]
    public void A_publish_reaches_the_subscriber_with_sid_subject_headers_payload_and_sequence_1_2_3()
    {
        _broker.Subscribe(2, sid: 9, "orders.eu");
        var headers = new Dictionary<string, string> { ["trace"] = "t-1", ["content-type"] = "application/msgpack" };
        for (byte i = 1; i <= 3; i++)
        {
            _broker.From(1, Frames.Pub("orders.eu", [i, 42], headers));
        }

        for (byte seq = 1; seq <= 3; seq++)
        {
            EngineHarness.Delivery msg = _broker.ExpectMsg(2);
            Assert.Equal(9UL, msg.Sid);
            Assert.Equal(seq, msg.Seq);
            Assert.Equal("orders.eu", msg.Subject);
            Assert.Equal(headers, msg.Headers);
            Assert.Equal([seq, 42], msg.Payload);
        }

        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(3));
        Assert.Equal(3, _broker.Engine.GetStats().MessagesPublished);
        Assert.Equal(3, _broker.Engine.GetStats().MessagesDelivered);
    }

    [Fact]
    public void A_publish_without_headers_is_delivered_with_nil_headers()
    {
        _broker.Subscribe(2, 1, "a");
        _broker.From(1, Frames.Pub("a"));
        EngineHarness.Delivery msg = _broker.ExpectMsg(2);
        Assert.Null(msg.Headers);
        Assert.Empty(msg.Payload);
    }

    [Theory]
    [InlineData("orders.*", "orders.eu", true)]
    [InlineData("orders.*", "orders.eu.created", false)]
    [InlineData("orders.>", "orders.eu.created", true)]
    [InlineData("orders.>", "orders", false)]
    [InlineData("*.eu.>", "orders.eu.created", true)]
    [InlineData(">", "anything.at.all", true)]
    [InlineData("orders.eu", "orders.us", false)]
    public void Wildcard_subscriptions_get_what_their_pattern_matches(string pattern, string subject, bool delivered)
    {
        _broker.Subscribe(2, 1, pattern);
        _broker.From(1, Frames.Pub(subject));
        Assert.Equal(delivered, !_broker.Idle(2));
    }

    [Fact]
    public void Each_matching_subscription_gets_its_own_copy_and_sequence()
    {
        _broker.Subscribe(2, 1, "a.*");
        _broker.Subscribe(2, 2, "a.>");
        _broker.Subscribe(3, 1, "a.b");
        _broker.From(1, Frames.Pub("a.b"));
        _broker.From(1, Frames.Pub("a.c"));

        Assert.Equal([(1UL, 1UL), (1UL, 2UL), (2UL, 1UL), (2UL, 2UL)],
            Enumerable.Range(0, 4).Select(_ => _broker.ExpectMsg(2)).Select(m => (m.Sid, m.Seq)).Order());
        Assert.Equal(1UL, _broker.ExpectMsg(3).Seq);
        Assert.True(_broker.Idle(3));
    }

    [Fact]
    public void A_publisher_subscribed_to_its_own_subject_receives_its_own_messages()
    {
        _broker.Subscribe(1, 1, "echo");
        _broker.From(1, Frames.Pub("echo", [5]));
        Assert.Equal([5], _broker.ExpectMsg(1).Payload);
    }

    [Fact]
    public void A_queue_group_gives_each_message_to_one_member_in_turn_while_plain_subscribers_get_all()
    {
        _broker.Subscribe(2, 1, "jobs", group: "workers");
        _broker.Subscribe(3, 1, "jobs", group: "workers");
        _broker.Subscribe(1, 1, "jobs");
        for (byte i = 1; i <= 4; i++)
        {
            _broker.From(1, Frames.Pub("jobs", [i]));
        }

        Assert.Equal([1, 2, 3, 4], Enumerable.Range(0, 4).Select(_ => _broker.ExpectMsg(1).Payload[0]));
        Assert.Equal([1, 3], Enumerable.Range(0, 2).Select(_ => _broker.ExpectMsg(2).Payload[0]));
        Assert.Equal([2, 4], Enumerable.Range(0, 2).Select(_ => _broker.ExpectMsg(3).Payload[0]));
        Assert.True(_broker.Idle(2) && _broker.Idle(3));
    }

    [Fact]
    public void Two_queue_groups_on_one_subject_each_get_every_message_once()
    {
        _broker.Subscribe(2, 1, "jobs", group: "billing");
        _broker.Subscribe(3, 1, "jobs", group: "audit");
        _broker.From(1, Frames.Pub("jobs"));
        _broker.ExpectMsg(2);
        _broker.ExpectMsg(3);
        Assert.True(_broker.Idle(2) && _broker.Idle(3));
    }

    [Fact]
    public void A_queue_group_on_a_wildcard_shares_messages_with_distinct_subjects()
    {
        _broker.Subscribe(2, 1, "orders.*", group: "workers");
        _broker.Subscribe(3, 1, "orders.*", group: "workers");
        for (int i = 1; i <= 4; i++)
        {
            _broker.From(1, Frames.Pub($"orders.{i}"));
        }

        Assert.Equal(2, _broker.Pending(2).Count());
        Assert.Equal(2, _broker.Pending(3).Count());
    }

    [Fact]
    public void After_unsub_nothing_more_is_delivered_to_that_sid()
    {
        _broker.Subscribe(2, 1, "a");
        _broker.Subscribe(2, 2, "a");
        _broker.From(2, Frames.Unsub(55, 1));
        Assert.Equal(55UL, _broker.Expect(2, CommandCode.Ok).ReadUInt());

        _broker.From(1, Frames.Pub("a"));
        Assert.Equal(2UL, _broker.ExpectMsg(2).Sid);
        Assert.True(_broker.Idle(2));
        Assert.Equal(1, _broker.Engine.GetStats().Subscriptions);
    }

    [Fact]
    public void A_reused_sid_or_an_unknown_unsub_is_a_conflict_echoing_the_ref()
    {
        _broker.Subscribe(2, 1, "a");
        _broker.From(2, Frames.Sub(61, 1, "b"));
        Assert.Equal(new EngineHarness.Refusal(61, ErrorCode.Conflict, "subscription id 1 is already in use"), _broker.ExpectError(2));

        _broker.From(2, Frames.Unsub(62, 77));
        EngineHarness.Refusal refusal = _broker.ExpectError(2);
        Assert.Equal((62UL, ErrorCode.Conflict), (refusal.Ref, refusal.Code));
    }

    [Theory]
    [InlineData("a..b", null)]
    [InlineData("a.>.b", null)]
    [InlineData("a*", null)]
    [InlineData("a", "work.*")]
    [InlineData("a", "has space")]
    public void An_invalid_pattern_or_group_is_refused_with_the_ref_and_subscribes_nothing(string pattern, string? group)
    {
        _broker.From(2, Frames.Sub(70, 1, pattern, group));
        EngineHarness.Refusal refusal = _broker.ExpectError(2);
        Assert.Equal((70UL, ErrorCode.InvalidSubject), (refusal.Ref, refusal.Code));
        Assert.Equal(0, _broker.Engine.GetStats().Subscriptions);
    }

    [Theory]
    [InlineData("a..b", "empty token")]
    [InlineData("orders.*", "wildcard")]
    [InlineData("orders.>", "wildcard")]
    [InlineData("has space", "whitespace")]
    public void An_invalid_publish_subject_is_refused_with_ref_0_and_counted(string subject, string reason)
    {
        _broker.Subscribe(2, 1, ">");
        _broker.From(1, Frames.Pub(subject));
        _broker.From(1, Frames.Pub(subject));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal((0UL, ErrorCode.InvalidSubject), (refusal.Ref, refusal.Code));
        Assert.Contains(reason, refusal.Message);
        Assert.Equal(2, _broker.Engine.GetStats().Refused);
        Assert.Equal(0, _broker.Engine.GetStats().MessagesPublished);
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_payload_over_the_limit_is_too_large_and_one_at_the_limit_is_delivered()
    {
        _broker.Subscribe(2, 1, "a");
        _broker.From(1, Frames.Pub("a", new byte[1025]));
        _broker.From(1, Frames.Pub("a", new byte[1024]));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.TooLarge, refusal.Code);
        Assert.Contains("1025", refusal.Message);
        Assert.Equal(1024, _broker.ExpectMsg(2).Payload.Length);
        Assert.Equal(1, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void The_subscription_limit_is_enforced()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxSubscriptionsPerPeer = 2 });
        broker.Connect(1);
        broker.Subscribe(1, 1, "a");
        broker.Subscribe(1, 2, "a");
        broker.From(1, Frames.Sub(3, 3, "a"));
        Assert.Equal(ErrorCode.LimitExceeded, broker.ExpectError(1).Code);

        broker.From(1, Frames.Unsub(4, 1));
        broker.Expect(1, CommandCode.Ok);
        broker.Subscribe(1, 3, "a");
    }
}
