using System.Diagnostics;

namespace Mq.Benchmarks;

/// <summary>
/// W1, W2 and W5: subscriber processes (this tool with <c>--role subscriber</c>), one publisher connection in
/// this process, every message numbered. The rate is deliveries per second from the first publish to the last
/// delivery (Stopwatch timestamps, one monotonic clock for all processes).
/// </summary>
internal static class PubSubWorkload
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    /// <param name="megabytes">True to report MB/s (10^6 bytes) of payload delivered, false for deliveries/s.</param>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, string workload, int subscribers, long count, int size, bool megabytes, bool monitorBroker)
    {
        string subject = $"bench.{workload.ToLowerInvariant()}.{Environment.ProcessId}";
        var children = new List<ChildProcess>();
        var results = new List<BenchResult>();
        using var deadline = new CancellationTokenSource(settings.WorkloadTimeout);
        TimeSpan roleDeadline = settings.WorkloadTimeout + SubscriberRole.IdleEnd + TimeSpan.FromSeconds(30);
        try
        {
            for (int i = 0; i < subscribers; i++)
            {
                children.Add(ChildProcess.StartSelf([
                    "--role", "subscriber", "--system", settings.System, "--endpoint", settings.Endpoint,
                    "--subject", subject, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--timeout", roleDeadline.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            }

            foreach (ChildProcess child in children)
            {
                await child.WaitForLineAsync(line => line == "ready", ReadyTimeout);
            }

            await using IBenchTransport publisher = await Transports.ConnectAsync(settings.System, settings.Endpoint, "bench-pub", deadline.Token);
            byte[] payload = new byte[size];
            if (settings.Warmup > TimeSpan.Zero)
            {
                await WarmUpAsync(publisher, subject, payload, settings.Warmup, children, deadline.Token);
            }

            await using BrokerMonitor? monitor = monitorBroker && settings.BrokerPid is int pid ? new BrokerMonitor(pid) : null;
            long published = 0;
            bool timedOut = false;
            long allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            try
            {
                for (; published < count; published++)
                {
                    SequenceTracker.Stamp(payload, published);
                    await publisher.PublishAsync(subject, payload, deadline.Token);
                }

                await publisher.FlushAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                timedOut = true;
            }

            double publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double publisherAllocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart) / (double)Math.Max(1, published);
            double subscriberAllocated = 0;
            long received = 0;
            long last = start;
            foreach (ChildProcess child in children)
            {
                Dictionary<string, string> report = await CollectAsync(child, deadline.Token);
                received += Fields.Long(report, "received");
                last = Math.Max(last, Fields.Long(report, "last"));
                subscriberAllocated = Math.Max(subscriberAllocated, double.Parse(report["alloc_bytes_per_msg"], System.Globalization.CultureInfo.InvariantCulture));
                timedOut |= report["outcome"] == "stopped";
            }

            double seconds = (last - start) / (double)Stopwatch.Frequency;
            long lost = (count * subscribers) - received;
            double value = megabytes ? received * (double)size / 1e6 / seconds : received / seconds;
            string status = timedOut ? "timeout" : lost > 0 ? "loss" : "ok";
            results.Add(new BenchResult(settings.System, workload, megabytes ? "mb_per_s" : "msgs_per_s", value, lost, status)
            {
                Extra =
                [
                    ("expected", (count * subscribers).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("received", received.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("subscribers", subscribers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("elapsed_s", Fields.Format(seconds)),
                    ("publish_msgs_per_s", Fields.Format(published / publishSeconds)),
                    ("pub_alloc_bytes_per_msg", Fields.Format(publisherAllocated)),
                    ("sub_alloc_bytes_per_msg", Fields.Format(subscriberAllocated)),
                ],
            });

            if (monitor is not null)
            {
                (double cpu, double peakRss) = await monitor.StopAsync();
                results.Add(new BenchResult(settings.System, workload, "broker_cpu_s_per_million", cpu * 1e6 / Math.Max(1, published), null, "ok"));
                results.Add(new BenchResult(settings.System, workload, "broker_peak_rss_mb", peakRss, null, "ok"));
            }
        }
        finally
        {
            foreach (ChildProcess child in children)
            {
                await child.DisposeAsync();
            }
        }

        return results;
    }

    /// <summary>
    /// The same traffic, unmeasured, for <paramref name="duration"/> (sequence numbers -2, -3, ... then -1 to end),
    /// so the measured run starts with every process past its JIT's first compilations, whatever the system.
    /// Returns once each subscriber says it is warm: the warm-up's last message arrived, or its traffic went quiet
    /// (a system that drops may lose that message).
    /// </summary>
    private static async Task WarmUpAsync(IBenchTransport publisher, string subject, byte[] payload, TimeSpan duration, List<ChildProcess> subscribers, CancellationToken deadline)
    {
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (long sequence = -2; Stopwatch.GetTimestamp() < until && sequence > long.MinValue + 1; sequence--)
        {
            SequenceTracker.Stamp(payload, sequence);
            await publisher.PublishAsync(subject, payload, deadline);
        }

        SequenceTracker.Stamp(payload, -1);
        await publisher.PublishAsync(subject, payload, deadline);
        await publisher.FlushAsync(deadline);
        foreach (ChildProcess subscriber in subscribers)
        {
            await subscriber.WaitForLineAsync(line => line == "warm", ReadyTimeout, deadline);
        }
    }

    /// <summary>
    /// A subscriber's result line: it ends by itself once everything (or nothing more for a while) has
    /// arrived; past the workload's deadline it is told to stop and report what it has.
    /// </summary>
    private static async Task<Dictionary<string, string>> CollectAsync(ChildProcess child, CancellationToken deadline)
    {
        static bool IsResult(string line) => line.StartsWith("result ", StringComparison.Ordinal);
        try
        {
            return Fields.Parse(await child.WaitForLineAsync(IsResult, Timeout.InfiniteTimeSpan, deadline));
        }
        catch (OperationCanceledException)
        {
            child.RequestStop();
            return Fields.Parse(await child.WaitForLineAsync(IsResult, TimeSpan.FromSeconds(15), CancellationToken.None));
        }
    }
}
