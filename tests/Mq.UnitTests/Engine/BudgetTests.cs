using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// Subscription budgets in bytes and counts, per connection, per identity (here security is off, so each
/// connection is its own identity) and for the whole broker: past one, SUB is refused with LimitExceeded naming
/// it, nothing is kept, and what is released can be used again.
/// </summary>
public sealed class BudgetTests
{
    private static readonly string LongToken = new('p', 250);

    [Fact]
    public void A_connection_past_its_subscription_bytes_is_refused_and_gets_room_back_by_unsubscribing()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxSubscriptionBytesPerPeer = 4096 });
        broker.Connect(1);
        broker.Subscribe(1, 1, Pattern(1));
        broker.Subscribe(1, 2, Pattern(2));
        Assert.Equal(2 * 1536, broker.Engine.GetStats().SubscriptionBytes);

        broker.From(1, Frames.Sub(9, 3, Pattern(3)));
        EngineHarness.Refusal refused = broker.ExpectError(1);
        Assert.Equal((9UL, ErrorCode.LimitExceeded), (refused.Ref, refused.Code));
        Assert.Contains("MaxSubscriptionBytesPerPeer", refused.Message);
        Assert.Equal(2, broker.Engine.GetStats().Subscriptions);

        // Short patterns cost less: one still fits.
        broker.Subscribe(1, 4, "short");

        broker.From(1, Frames.Unsub(10, 1));
        broker.Expect(1, CommandCode.Ok);
        broker.Subscribe(1, 3, Pattern(3));
    }

    [Fact]
    public void Without_security_each_connection_has_its_own_identity_budget()
    {
        var broker = new EngineHarness(new BrokerOptions { MaxSubscriptionsPerIdentity = 3 });
        broker.Connect(1);
        broker.Connect(2);
        for (ulong sid = 1; sid <= 3; sid++)
        {
            broker.Subscribe(1, sid, $"a.{sid}");
            broker.Subscribe(2, sid, $"a.{sid}");
        }

        broker.From(1, Frames.Sub(9, 4, "a.4"));
        EngineHarness.Refusal refused = broker.ExpectError(1);
        Assert.Equal(ErrorCode.LimitExceeded, refused.Code);
        Assert.Contains("MaxSubscriptionsPerIdentity", refused.Message);
        Assert.Contains("each connection is its own identity", refused.Message);

        // A new session on the same connection starts with an empty budget.
        broker.Connect(1, "again");
        broker.Subscribe(1, 4, "a.4");
    }

    [Fact]
    public void Past_the_broker_total_every_connection_is_refused_until_some_leave()
    {
        var broker = new EngineHarness(new BrokerOptions
        {
            MaxSubscriptionBytesPerPeer = 4096,
            MaxSubscriptionBytesPerIdentity = 4096,
            MaxSubscriptionBytesTotal = 8192,
        });
        for (uint key = 1; key <= 3; key++)
        {
            broker.Connect(key);
        }

        broker.Subscribe(1, 1, Pattern(1));
        broker.Subscribe(1, 2, Pattern(2));
        broker.Subscribe(2, 1, Pattern(3));
        broker.Subscribe(2, 2, Pattern(4));
        broker.Subscribe(3, 1, Pattern(5));
        broker.From(3, Frames.Sub(9, 2, Pattern(6)));
        EngineHarness.Refusal refused = broker.ExpectError(3);
        Assert.Equal(ErrorCode.LimitExceeded, refused.Code);
        Assert.Contains("MaxSubscriptionBytesTotal", refused.Message);
        Assert.Equal(5 * 1536, broker.Engine.GetStats().SubscriptionBytes);

        broker.Disconnect(1);
        Assert.Equal(3 * 1536, broker.Engine.GetStats().SubscriptionBytes);
        broker.Subscribe(3, 2, Pattern(6));

        // Subscriptions within budget still route.
        broker.From(2, Frames.Pub($"{LongToken}.003.x", [7]));
        Assert.Equal(1UL, broker.ExpectMsg(2).Sid);
    }

    [Fact]
    public void Budgets_are_validated_at_start_and_must_grow_from_connection_to_broker()
    {
        Assert.Empty(new BrokerOptions().Validate());
        Assert.Contains(new BrokerOptions { MaxSubscriptionBytesPerPeer = 1 << 20, MaxSubscriptionBytesPerIdentity = 1 << 19 }.Validate(),
            e => e.Contains("MaxSubscriptionBytesPerIdentity", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { MaxSubscriptionBytesTotal = 1 << 20 }.Validate(), e => e.Contains("MaxSubscriptionBytesTotal", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { MaxFlowWaitBytes = 32 << 20 }.Validate(), e => e.Contains("MaxFlowWaitBytesPerPeer", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { MaxFlowWaitBytesTotal = 1 << 20 }.Validate(), e => e.Contains("MaxFlowWaitBytesTotal", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { MaxFlowStall = TimeSpan.Zero }.Validate(), e => e.Contains("MaxFlowStall", StringComparison.Ordinal));
        Assert.Contains(new BrokerOptions { MaxConnectionsPerIdentity = 0 }.Validate(), e => e.Contains("MaxConnectionsPerIdentity", StringComparison.Ordinal));
    }

    /// <summary>A distinct 256-byte pattern: a subscription to it costs 512 + 4 × 256 = 1536 budget bytes.</summary>
    private static string Pattern(int i) => $"{LongToken}.{i:D3}.>";
}
