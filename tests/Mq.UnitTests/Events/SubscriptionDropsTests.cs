using Mq.Broker.Events;

namespace Mq.UnitTests.Events;

/// <summary>A subscription's losses: announced at once, then at most once per second with the count since, and a cut-off at once.</summary>
public sealed class SubscriptionDropsTests
{
    [Fact]
    public void The_first_loss_is_announced_at_once_and_later_ones_once_a_second_with_their_count()
    {
        var drops = new SubscriptionDrops();
        drops.Add(1, 1_000);
        Assert.True(drops.TryAnnounce(1_000, out long first));
        Assert.Equal(1, first);

        drops.Add(5, 1_200);
        drops.Add(7, 1_900);
        Assert.False(drops.TryAnnounce(1_999, out _));
        Assert.Equal(12, drops.Unannounced);

        Assert.True(drops.TryAnnounce(2_000, out long coalesced));
        Assert.Equal(12, coalesced);
        Assert.Equal(13, drops.Total);
        Assert.Equal(1_900, drops.LastAt);

        // Nothing lost since: nothing to announce, however long it has been.
        Assert.False(drops.TryAnnounce(10_000, out _));
    }

    [Fact]
    public void Log_lines_have_their_own_longer_interval()
    {
        var drops = new SubscriptionDrops();
        drops.Add(3, 0);
        Assert.False(drops.Logged);
        Assert.True(drops.TryLog(0, out long first));
        Assert.Equal(3, first);
        Assert.True(drops.Logged);

        drops.Add(4, 500);
        Assert.True(drops.TryAnnounce(1_000, out long announced));
        Assert.Equal(7, announced);
        Assert.False(drops.TryLog(SubscriptionDrops.LogIntervalMs - 1, out _));
        Assert.True(drops.TryLog(SubscriptionDrops.LogIntervalMs, out long later));
        Assert.Equal(4, later);
    }

    [Fact]
    public void A_cut_off_is_announced_at_once_and_only_once_even_with_nothing_lost()
    {
        var drops = new SubscriptionDrops();
        drops.Add(2, 1_000);
        Assert.True(drops.TryAnnounce(1_000, out _));

        drops.CutOff("it held its publishers back", 0, 1_100);
        Assert.True(drops.TryAnnounce(1_100, out long count));
        Assert.Equal(0, count);
        Assert.Equal("it held its publishers back", drops.CutOffReason);
        Assert.False(drops.TryAnnounce(5_000, out _));
    }
}
