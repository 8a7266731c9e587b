namespace Mq.Benchmarks;

/// <summary>What one run measures; the defaults are the workloads.</summary>
internal sealed record BenchSettings
{
    public required string System { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>What results are printed under instead of <see cref="System"/>, or null.</summary>
    public string? Label { get; init; }

    public IReadOnlySet<string> Workloads { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "W1", "W2", "W3", "W4", "W5" };

    /// <summary>The broker's process id (Mq only), for CPU time and RSS; null when it is not known.</summary>
    public int? BrokerPid { get; init; }

    /// <summary>
    /// "off" or "on" when the run compares brokers without and with monitoring (each result says which); null
    /// otherwise. With "on", <see cref="MonitoringAddress"/> is read during each workload (<see cref="MonitoringLoad"/>).
    /// </summary>
    public string? Monitoring { get; init; }

    public Uri? MonitoringAddress { get; init; }

    /// <summary>Multiplies every message and request count: below 1 for quick runs.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>
    /// How long each pub/sub workload first publishes unmeasured traffic, so the measured run starts with every
    /// process (subscribers are new processes each time) past its JIT's first compilations. Zero: no warm-up.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Wall-clock bound of each workload; what has not arrived by then is reported as lost.</summary>
    public TimeSpan WorkloadTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public long W1Messages => Scaled(500_000);

    public long W2Messages => Scaled(200_000);

    public int W2Subscribers { get; init; } = 4;

    public long W3RoundTrips => Scaled(20_000);

    public long W4Requests => Scaled(100_000);

    public int W4InFlight { get; init; } = 64;

    public long W5Messages => Scaled(4_000);

    public long D1Messages => Scaled(200_000);

    public int D1InFlight { get; init; } = 64;

    public long D2Messages => Scaled(1_000_000);

    /// <summary>D3: 64 KiB messages, a gibibyte at scale 1.</summary>
    public long D3Messages => Scaled(16_384);

    /// <summary>D2 fills its stream with more publishes in flight than D1: the fill is not what D2 measures.</summary>
    public int D2FillInFlight { get; init; } = 256;

    public const int SmallPayload = 128;

    public const int LargePayload = 64 * 1024;

    private long Scaled(long count) => Math.Max(100, (long)(count * Scale));
}
