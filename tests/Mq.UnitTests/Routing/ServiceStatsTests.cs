using Mq.Broker.Routing;

namespace Mq.UnitTests.Routing;

/// <summary>A service's request statistics: outcomes counted apart, latency quantiles read off fixed buckets.</summary>
public sealed class ServiceStatsTests
{
    [Fact]
    public void Each_outcome_has_its_own_count_and_all_count_as_completed()
    {
        var stats = new ServiceStats();
        foreach (RequestOutcome outcome in Enum.GetValues<RequestOutcome>())
        {
            stats.Started();
            stats.Ended(outcome, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(5, stats.Requests);
        Assert.Equal(5, stats.Completed);
        Assert.Equal([1L, 1L, 1L, 1L, 1L], new[] { stats.Replies, stats.Errors, stats.Timeouts, stats.Lost, stats.Cancelled });
    }

    [Fact]
    public void Quantiles_are_the_upper_bound_of_the_bucket_they_fall_in()
    {
        var stats = new ServiceStats();
        for (int i = 0; i < 98; i++)
        {
            stats.Ended(RequestOutcome.Replied, TimeSpan.FromMicroseconds(300));
        }

        stats.Ended(RequestOutcome.Replied, TimeSpan.FromMilliseconds(40));
        stats.Ended(RequestOutcome.Timeout, TimeSpan.FromSeconds(3));

        Assert.Equal(500, stats.QuantileUs(0.5));
        Assert.Equal(50_000, stats.QuantileUs(0.99));
        Assert.Equal(5_000_000, stats.QuantileUs(1.0));
        Assert.Equal((98 * 300 + 40_000 + 3_000_000) / 100, stats.AverageUs);
    }

    [Fact]
    public void Nothing_completed_reads_as_zero_and_beyond_the_last_bucket_reads_as_the_mean()
    {
        var stats = new ServiceStats();
        Assert.Equal(0, stats.QuantileUs(0.5));

        stats.Ended(RequestOutcome.Timeout, TimeSpan.FromSeconds(30));

        Assert.Equal(30_000_000, stats.QuantileUs(0.5));
    }
}
