using Mq.Broker.Server;

namespace Mq.UnitTests.Events;

/// <summary>The broker-wide limit on what peers can trigger: so many a second, and what it held back is told with the next.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public void Passes_so_many_a_second_and_hands_the_count_held_back_to_the_next_pass()
    {
        var limit = new RateLimit(3);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.TryPass(1_000, out long none));
            Assert.Equal(0, none);
        }

        Assert.False(limit.TryPass(1_500, out _));
        Assert.False(limit.TryPass(1_999, out _));

        Assert.True(limit.TryPass(2_000, out long suppressed));
        Assert.Equal(2, suppressed);
        Assert.True(limit.TryPass(2_001, out long again));
        Assert.Equal(0, again);
    }

    [Fact]
    public void A_window_starts_at_the_first_pass_whatever_the_clock_reads()
    {
        var limit = new RateLimit(1);

        Assert.True(limit.TryPass(-5_000, out _));
        Assert.False(limit.TryPass(-4_001, out _));
        Assert.True(limit.TryPass(-4_000, out long suppressed));
        Assert.Equal(1, suppressed);
    }
}
