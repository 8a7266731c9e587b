using System.Diagnostics;
using System.Globalization;

namespace Mq.Benchmarks;

/// <summary>
/// W3 (sequential round trips, latency percentiles) and W4 (many in flight, throughput): one echo server
/// process (this tool with <c>--role server</c>) and one requesting connection in this process.
/// </summary>
internal static class RequestWorkload
{
    /// <summary>How long a started role process may take to say it is ready.</summary>
    internal static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Round trips before W3's measured ones, for every system alike (the floor included).</summary>
    internal const int WarmupRoundTrips = 1_000;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public static async Task<IReadOnlyList<BenchResult>> RunSequentialAsync(BenchSettings settings)
    {
        long count = settings.W3RoundTrips;
        var micros = new List<double>((int)count);
        long failed = 0;
        bool timedOut = await WithServerAsync(settings, "w3", async (requester, service, deadline) =>
        {
            byte[] payload = new byte[BenchSettings.SmallPayload];
            for (long i = -WarmupRoundTrips; i < count && !deadline.IsCancellationRequested; i++)
            {
                SequenceTracker.Stamp(payload, i);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await requester.RequestAsync(service, payload, RequestTimeout, deadline);
                    if (i >= 0)
                    {
                        micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    }
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed += i >= 0 ? 1 : 0;
                }
            }
        });

        return LatencyResults(settings.System, micros, count, failed, timedOut);
    }

    /// <summary>W3's two lines from the round trips that completed (in any order), for every system alike.</summary>
    public static IReadOnlyList<BenchResult> LatencyResults(string system, List<double> micros, long count, long failed, bool timedOut)
    {
        micros.Sort();
        long lost = count - micros.Count;
        string status = timedOut ? "timeout" : lost > 0 ? "loss" : "ok";
        (string, string)[] extra = [("completed", micros.Count.ToString(CultureInfo.InvariantCulture)), ("failed", failed.ToString(CultureInfo.InvariantCulture))];
        return
        [
            new BenchResult(system, "W3", "p50_us", Percentile(micros, 0.50), lost, status) { Extra = extra },
            new BenchResult(system, "W3", "p99_us", Percentile(micros, 0.99), lost, status) { Extra = extra },
        ];
    }

    public static async Task<IReadOnlyList<BenchResult>> RunConcurrentAsync(BenchSettings settings)
    {
        long count = settings.W4Requests;
        long completed = 0;
        long failed = 0;
        double seconds = 0;
        double? brokerCpu = null;
        bool timedOut = await WithServerAsync(settings, "w4", async (requester, service, deadline) =>
        {
            await using BrokerMonitor? monitor = settings.BrokerPid is int pid ? new BrokerMonitor(pid) : null;
            long start = Stopwatch.GetTimestamp();
            (completed, failed) = await InFlight.RunAsync(count, settings.W4InFlight,
                async (payload, token) => await requester.RequestAsync(service, payload, RequestTimeout, token), deadline);
            seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (monitor is not null)
            {
                brokerCpu = (await monitor.StopAsync()).CpuSeconds;
            }
        });

        IReadOnlyList<BenchResult> results = ThroughputResults(settings, count, completed, failed, seconds, timedOut);
        return brokerCpu is double cpu
            ? [.. results, new BenchResult(settings.System, "W4", "broker_cpu_s_per_million", cpu * 1e6 / Math.Max(1, completed), null, "ok")]
            : results;
    }

    /// <summary>W4's line, for every system alike.</summary>
    public static IReadOnlyList<BenchResult> ThroughputResults(BenchSettings settings, long count, long completed, long failed, double seconds, bool timedOut)
    {
        long lost = count - completed;
        string status = timedOut ? "timeout" : lost > 0 ? "loss" : "ok";
        return
        [
            new BenchResult(settings.System, "W4", "requests_per_s", completed / seconds, lost, status)
            {
                Extra =
                [
                    ("in_flight", settings.W4InFlight.ToString(CultureInfo.InvariantCulture)),
                    ("completed", completed.ToString(CultureInfo.InvariantCulture)),
                    ("failed", failed.ToString(CultureInfo.InvariantCulture)),
                    ("elapsed_s", Fields.Format(seconds)),
                ],
            },
        ];
    }

    /// <summary>Starts the echo server process, runs <paramref name="body"/> against it, stops it; returns whether the deadline passed.</summary>
    private static async Task<bool> WithServerAsync(BenchSettings settings, string name, Func<IBenchTransport, string, CancellationToken, Task> body)
    {
        string service = $"bench.{name}.{Environment.ProcessId}";
        using var deadline = new CancellationTokenSource(settings.WorkloadTimeout);
        TimeSpan roleDeadline = settings.WorkloadTimeout + TimeSpan.FromSeconds(30);
        await using ChildProcess server = ChildProcess.StartSelf([
            "--role", "server", "--system", settings.System, "--endpoint", settings.Endpoint, "--subject", service,
            "--timeout", roleDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
        await server.WaitForLineAsync(line => line == "ready", ReadyTimeout);
        await using (IBenchTransport requester = await Transports.ConnectAsync(settings.System, settings.Endpoint, "bench-requester", deadline.Token))
        {
            await body(requester, service, deadline.Token);
        }

        server.RequestStop();
        await server.WaitForLineAsync(line => line.StartsWith("result ", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        return deadline.IsCancellationRequested;
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}
