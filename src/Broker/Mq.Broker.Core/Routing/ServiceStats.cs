namespace Mq.Broker.Routing;

/// <summary>
/// One service's requests since its first server appeared: how each ended and how long it took, from the broker
/// accepting the REQ to the end of its reply. Latency goes into fixed buckets, so recording is a few integer
/// operations on the broker thread and nothing is allocated per request.
/// </summary>
internal sealed class ServiceStats
{
    /// <summary>Upper bounds of the latency buckets, in microseconds; the last bucket holds everything above.</summary>
    public static readonly long[] BucketBoundsUs = [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000];

    private readonly long[] _buckets = new long[BucketBoundsUs.Length + 1];
    private long _totalUs;

    public long Requests { get; private set; }

    public long Replies { get; private set; }

    public long Errors { get; private set; }

    public long Timeouts { get; private set; }

    public long Lost { get; private set; }

    public long Cancelled { get; private set; }

    /// <summary>Requests that ended (every outcome), which the latency figures describe.</summary>
    public long Completed => Replies + Errors + Timeouts + Lost + Cancelled;

    public void Started() => Requests++;

    /// <summary>Records a request that ended with <paramref name="outcome"/> after <paramref name="elapsed"/>.</summary>
    public void Ended(RequestOutcome outcome, TimeSpan elapsed)
    {
        switch (outcome)
        {
            case RequestOutcome.Replied: Replies++; break;
            case RequestOutcome.Error: Errors++; break;
            case RequestOutcome.Timeout: Timeouts++; break;
            case RequestOutcome.Lost: Lost++; break;
            default: Cancelled++; break;
        }

        long us = (long)elapsed.TotalMicroseconds;
        _totalUs += us;
        int bucket = 0;
        while (bucket < BucketBoundsUs.Length && us > BucketBoundsUs[bucket])
        {
            bucket++;
        }

        _buckets[bucket]++;
    }

    public long AverageUs => Completed == 0 ? 0 : _totalUs / Completed;

    /// <summary>
    /// The latency under which <paramref name="quantile"/> of the completed requests fell, as the upper bound of its
    /// bucket (so an estimate, never below the truth); 0 before any request ended.
    /// </summary>
    public long QuantileUs(double quantile)
    {
        long completed = Completed;
        if (completed == 0)
        {
            return 0;
        }

        long rank = (long)Math.Ceiling(quantile * completed);
        long seen = 0;
        for (int i = 0; i < BucketBoundsUs.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank)
            {
                return BucketBoundsUs[i];
            }
        }

        // Above the last bound: the mean of what is there is the best the buckets can say.
        return Math.Max(BucketBoundsUs[^1], AverageUs);
    }
}
