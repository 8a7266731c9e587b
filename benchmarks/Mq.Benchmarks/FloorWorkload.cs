using System.Diagnostics;
using System.Globalization;
using NetMQ;
using NetMQ.Sockets;

namespace Mq.Benchmarks;

/// <summary>
/// W3 and W4 for the "netmq" floor: the same processes as Mq's run (a relay process standing in for the broker,
/// an echo server process, the requester here) over bare NetMQ sockets used the cheapest way, blocking calls on
/// one thread each and no hand-over between threads. No client built on NetMQ can go faster through a broker.
/// </summary>
internal static class FloorWorkload
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static Task<IReadOnlyList<BenchResult>> RunSequentialAsync(BenchSettings settings) =>
        WithRelayAsync(settings, (requester, deadline) =>
        {
            long count = settings.W3RoundTrips;
            var micros = new List<double>((int)count);
            byte[] payload = new byte[BenchSettings.SmallPayload];
            for (long i = -RequestWorkload.WarmupRoundTrips; i < count && !deadline.IsCancellationRequested; i++)
            {
                SequenceTracker.Stamp(payload, i);
                long start = Stopwatch.GetTimestamp();
                requester.SendFrame(payload);
                if (!ReceiveReply(requester, deadline))
                {
                    break;
                }

                if (i >= 0)
                {
                    micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
            }

            return RequestWorkload.LatencyResults(settings.System, micros, count, failed: 0, deadline.IsCancellationRequested);
        });

    public static Task<IReadOnlyList<BenchResult>> RunConcurrentAsync(BenchSettings settings) =>
        WithRelayAsync(settings, (requester, deadline) =>
        {
            long count = settings.W4Requests;
            byte[] payload = new byte[BenchSettings.SmallPayload];
            long issued = 0;
            long completed = 0;
            long start = Stopwatch.GetTimestamp();
            // A window of W4InFlight requests, refilled by one as each reply comes: what 64 waiting callers amount to.
            for (; issued < Math.Min(settings.W4InFlight, count); issued++)
            {
                SequenceTracker.Stamp(payload, issued);
                requester.SendFrame(payload);
            }

            while (completed < count && ReceiveReply(requester, deadline))
            {
                completed++;
                if (issued < count)
                {
                    SequenceTracker.Stamp(payload, issued++);
                    requester.SendFrame(payload);
                }
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return RequestWorkload.ThroughputResults(settings, count, completed, failed: 0, seconds, deadline.IsCancellationRequested);
        });

    /// <summary>Waits for one reply in short polls, so the deadline is noticed; false once it has passed.</summary>
    private static bool ReceiveReply(DealerSocket requester, CancellationToken deadline)
    {
        while (!deadline.IsCancellationRequested)
        {
            if (requester.TryReceiveFrameBytes(Poll, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<IReadOnlyList<BenchResult>> WithRelayAsync(BenchSettings settings, Func<DealerSocket, CancellationToken, IReadOnlyList<BenchResult>> body)
    {
        using var deadline = new CancellationTokenSource(settings.WorkloadTimeout);
        string roleDeadline = (settings.WorkloadTimeout + TimeSpan.FromSeconds(30)).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        await using ChildProcess relay = ChildProcess.StartSelf(["--role", "floor-relay", "--system", "netmq", "--timeout", roleDeadline]);
        string endpoint = (await relay.WaitForLineAsync(line => line.StartsWith("ready ", StringComparison.Ordinal), RequestWorkload.ReadyTimeout))["ready ".Length..];
        await using ChildProcess server = ChildProcess.StartSelf(["--role", "floor-echo", "--system", "netmq", "--endpoint", endpoint, "--timeout", roleDeadline]);
        await server.WaitForLineAsync(line => line == "ready", RequestWorkload.ReadyTimeout);
        // Blocking calls belong on a thread of their own, not on a thread-pool thread; the socket lives and dies there.
        IReadOnlyList<BenchResult> results = await Task.Factory.StartNew(
            () =>
            {
                using var requester = new DealerSocket();
                requester.Connect(endpoint);
                return body(requester, deadline.Token);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        server.RequestStop();
        relay.RequestStop();
        await server.WaitForLineAsync(line => line.StartsWith("result ", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        await relay.WaitForLineAsync(line => line.StartsWith("result ", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        return results;
    }
}
