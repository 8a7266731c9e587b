using System.Diagnostics;

namespace Mq.Benchmarks;

/// <summary>
/// A subscriber process: subscribes, prints "ready", counts deliveries until all have arrived, the parent
/// says stop, or nothing has arrived for <see cref="IdleEnd"/> after the first; then prints one result line.
/// </summary>
internal static class SubscriberRole
{
    /// <summary>Quiet this long after traffic began means the rest is lost, not late: the loss is then reported.</summary>
    public static readonly TimeSpan IdleEnd = TimeSpan.FromSeconds(3);

    /// <summary>Quiet this long after warm-up traffic means its last message was lost (a lossy system): warm anyway.</summary>
    private static readonly TimeSpan WarmupIdleEnd = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string system, string endpoint, string subject, long count, TimeSpan deadline)
    {
        using var signals = new RoleSignals(deadline);
        var tracker = new SequenceTracker(count);
        var warm = new OnceLine("warm");
        string outcome = "complete";
        double allocatedPerMessage = 0;
        await using (IBenchTransport transport = await Transports.ConnectAsync(system, endpoint, $"bench-sub-{Environment.ProcessId}", signals.Token))
        await using (IBenchInbox inbox = await transport.SubscribeAsync(subject, signals.Token))
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(signals.Token);
            Console.WriteLine("ready");
            long allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
            Task watchdog = WatchIdleAsync(tracker, idle, warm);
            try
            {
                await inbox.RunAsync(
                    payload =>
                    {
                        bool more = tracker.Record(payload);
                        if (tracker.WarmupComplete)
                        {
                            warm.Announce();
                        }

                        return more;
                    },
                    idle.Token);
            }
            catch (OperationCanceledException)
            {
                outcome = signals.Token.IsCancellationRequested ? "stopped" : "idle";
            }

            await idle.CancelAsync();
            await watchdog;
            allocatedPerMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart) / (double)Math.Max(1, tracker.Distinct + tracker.Duplicates);
        }

        Console.WriteLine($"result outcome={outcome} received={tracker.Distinct} duplicates={tracker.Duplicates} invalid={tracker.Invalid} " +
            $"alloc_bytes_per_msg={Fields.Format(allocatedPerMessage)} first={tracker.FirstTimestamp} last={tracker.LastTimestamp}");
        return 0;
    }

    private static async Task WatchIdleAsync(SequenceTracker tracker, CancellationTokenSource idle, OnceLine warm)
    {
        // A periodic check, not a wait for a state: the tracker is single-threaded and raises no events.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(idle.Token))
            {
                long lastWarmup = tracker.LastWarmupTimestamp;
                if (lastWarmup != 0 && Stopwatch.GetElapsedTime(lastWarmup) > WarmupIdleEnd)
                {
                    warm.Announce();
                }

                long last = tracker.LastTimestamp;
                if (last != 0 && Stopwatch.GetElapsedTime(last) > IdleEnd)
                {
                    await idle.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The subscription ended first.
        }
    }
}
