using System.Diagnostics;
using System.Globalization;

namespace Mq.Benchmarks;

/// <summary>
/// D1 (durable publish: 128 B, <see cref="BenchSettings.D1InFlight"/> publishes awaiting their acknowledgement at
/// once) and D2 (a stream filled with <see cref="BenchSettings.D2Messages"/> messages, then replayed from its start
/// to one consumer; D3 the same with 64 KiB messages, a stream many times the broker's memory on disk, for its peak
/// RSS). One connection in this process; the stream is created empty before and deleted after.
/// </summary>
internal static class DurableWorkload
{
    private const int WarmupPublishes = 2_000;

    public static async Task<IReadOnlyList<BenchResult>> RunPublishAsync(BenchSettings settings)
    {
        using var deadline = new CancellationTokenSource(settings.WorkloadTimeout);
        await using IBenchDurable durable = await Transports.ConnectDurableAsync(settings.System, settings.Endpoint, "bench-d1", deadline.Token);
        await durable.CreateStreamAsync("BENCH_D1", "bench.d1", deadline.Token);
        try
        {
            await PublishAsync(durable, "bench.d1", WarmupPublishes, settings.D1InFlight, deadline.Token);
            await using BrokerMonitor? monitor = settings.BrokerPid is int pid ? new BrokerMonitor(pid) : null;
            long start = Stopwatch.GetTimestamp();
            (long acked, long failed) = await PublishAsync(durable, "bench.d1", settings.D1Messages, settings.D1InFlight, deadline.Token);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long lost = settings.D1Messages - acked;
            var results = new List<BenchResult>
            {
                new(settings.System, "D1", "msgs_per_s", acked / seconds, lost, deadline.IsCancellationRequested ? "timeout" : lost > 0 ? "loss" : "ok")
                {
                    Extra = [("in_flight", Count(settings.D1InFlight)), ("acked", Count(acked)), ("failed", Count(failed)), ("elapsed_s", Fields.Format(seconds))],
                },
            };
            if (monitor is not null)
            {
                (double cpu, double rss) = await monitor.StopAsync();
                results.Add(new BenchResult(settings.System, "D1", "broker_cpu_s_per_million", cpu * 1e6 / Math.Max(1, acked), null, "ok"));
                results.Add(new BenchResult(settings.System, "D1", "broker_peak_rss_mb", rss, null, "ok"));
            }

            return results;
        }
        finally
        {
            await durable.DeleteStreamAsync("BENCH_D1", CancellationToken.None);
        }
    }

    public static async Task<IReadOnlyList<BenchResult>> RunReplayAsync(BenchSettings settings, string workload, long count, int payloadBytes)
    {
        using var deadline = new CancellationTokenSource(settings.WorkloadTimeout);
        await using IBenchDurable durable = await Transports.ConnectDurableAsync(settings.System, settings.Endpoint, $"bench-{workload.ToLowerInvariant()}", deadline.Token);
        await durable.CreateStreamAsync(Stream(workload), Subject(workload), deadline.Token);
        try
        {
            await using BrokerMonitor? monitor = settings.BrokerPid is int pid ? new BrokerMonitor(pid) : null;
            long fillStart = Stopwatch.GetTimestamp();
            (long stored, _) = await PublishAsync(durable, Subject(workload), count, settings.D2FillInFlight, deadline.Token, payloadBytes);
            double fillSeconds = Stopwatch.GetElapsedTime(fillStart).TotalSeconds;

            long start = Stopwatch.GetTimestamp();
            long inOrder = await durable.ReplayAsync(Stream(workload), stored, deadline.Token);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long lost = count - inOrder;
            var results = new List<BenchResult>
            {
                new(settings.System, workload, "msgs_per_s", inOrder / seconds, lost, deadline.IsCancellationRequested ? "timeout" : lost > 0 ? "loss" : "ok")
                {
                    Extra = [("stored", Count(stored)), ("in_order", Count(inOrder)), ("elapsed_s", Fields.Format(seconds)), ("fill_s", Fields.Format(fillSeconds))],
                },
            };
            if (monitor is not null)
            {
                // Through the fill and the replay: a store that kept the stream in memory would show it here.
                (_, double rss) = await monitor.StopAsync();
                results.Add(new BenchResult(settings.System, workload, "broker_peak_rss_mb", rss, null, "ok")
                {
                    Extra = [("stream_payload_mb", Fields.Format(stored * payloadBytes / 1e6))],
                });
            }

            return results;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return [new BenchResult(settings.System, workload, "msgs_per_s", double.NaN, count, "timeout")];
        }
        finally
        {
            await durable.DeleteStreamAsync(Stream(workload), CancellationToken.None);
        }
    }

    private static Task<(long Acked, long Failed)> PublishAsync(IBenchDurable durable, string subject, long count, int inFlight, CancellationToken deadline, int payloadBytes = BenchSettings.SmallPayload) =>
        InFlight.RunAsync(count, inFlight, async (payload, token) => await durable.PublishDurableAsync(subject, payload, token), deadline, payloadBytes);

    private static string Stream(string workload) => $"BENCH_{workload}";

    private static string Subject(string workload) => $"bench.{workload.ToLowerInvariant()}";

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
