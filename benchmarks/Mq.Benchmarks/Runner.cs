namespace Mq.Benchmarks;

/// <summary>Runs the chosen workloads one after another and prints each result line as soon as it is known.</summary>
internal static class Runner
{
    private static readonly string[] Order = ["W1", "W2", "W3", "W4", "W5", "D1", "D2", "D3"];

    /// <summary>Each workload against each of <paramref name="brokers"/> in turn (one, or the same broker without and with monitoring).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<BenchSettings> brokers)
    {
        foreach (BenchSettings settings in brokers)
        {
            string monitoring = settings.Monitoring is null ? "" : $" monitoring={settings.Monitoring}";
            Console.WriteLine($"# system={settings.System} endpoint={settings.Endpoint} scale={settings.Scale} timeout_s={settings.WorkloadTimeout.TotalSeconds}{monitoring}");
            if (settings.BrokerPid is int pid)
            {
                Print(settings, new BenchResult(settings.System, "idle", "broker_rss_mb", ProcStats.StatusMegabytes(pid, "VmRSS"), null, "ok"), []);
            }
        }

        int failures = 0;
        foreach (string workload in Order.Where(brokers[0].Workloads.Contains))
        {
            foreach (BenchSettings settings in brokers)
            {
                try
                {
                    await using MonitoringLoad? load = settings.MonitoringAddress is { } address ? new MonitoringLoad(address) : null;
                    IReadOnlyList<BenchResult> results = await RunOneAsync(settings, workload);
                    (string, string)[] seen = load is null ? [] : [("live_events", $"{load.Events}"), ("scrapes", $"{load.Scrapes}")];
                    foreach (BenchResult result in results)
                    {
                        Print(settings, result, seen);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failures++;
                    Console.Error.WriteLine($"{workload} failed: {ex.GetType().Name}: {ex.Message}");
                    Print(settings, new BenchResult(settings.System, workload, "error", double.NaN, null, "error") { Extra = [("type", ex.GetType().Name)] }, []);
                }
            }
        }

        return failures == 0 ? 0 : 1;
    }

    private static Task<IReadOnlyList<BenchResult>> RunOneAsync(BenchSettings settings, string workload)
    {
        bool requestReply = workload is "W3" or "W4";
        if (requestReply && settings.System == "redis")
        {
            const string why = "redis-has-no-request-reply";
            IReadOnlyList<BenchResult> na = workload == "W3"
                ? [BenchResult.NotApplicable("redis", "W3", "p50_us", why), BenchResult.NotApplicable("redis", "W3", "p99_us", why)]
                : [BenchResult.NotApplicable("redis", "W4", "requests_per_s", why)];
            return Task.FromResult(na);
        }

        if (workload is "D1" or "D2" or "D3")
        {
            if (!Transports.IsDurable(settings.System))
            {
                return Task.FromResult<IReadOnlyList<BenchResult>>([BenchResult.NotApplicable(settings.System, workload, "msgs_per_s", "no-durable-streams")]);
            }

            return workload switch
            {
                "D1" => DurableWorkload.RunPublishAsync(settings),
                "D2" => DurableWorkload.RunReplayAsync(settings, "D2", settings.D2Messages, BenchSettings.SmallPayload),
                _ => DurableWorkload.RunReplayAsync(settings, "D3", settings.D3Messages, BenchSettings.LargePayload),
            };
        }

        if (settings.System == "netmq")
        {
            return workload switch
            {
                "W3" => FloorWorkload.RunSequentialAsync(settings),
                "W4" => FloorWorkload.RunConcurrentAsync(settings),
                _ => Task.FromResult<IReadOnlyList<BenchResult>>([BenchResult.NotApplicable("netmq", workload, workload == "W5" ? "mb_per_s" : "msgs_per_s", "floor-measures-request-reply-only")]),
            };
        }

        return workload switch
        {
            "W1" => PubSubWorkload.RunAsync(settings, "W1", 1, settings.W1Messages, BenchSettings.SmallPayload, megabytes: false, monitorBroker: true),
            "W2" => PubSubWorkload.RunAsync(settings, "W2", settings.W2Subscribers, settings.W2Messages, BenchSettings.SmallPayload, megabytes: false, monitorBroker: false),
            "W3" => RequestWorkload.RunSequentialAsync(settings),
            "W4" => RequestWorkload.RunConcurrentAsync(settings),
            "W5" => PubSubWorkload.RunAsync(settings, "W5", 1, settings.W5Messages, BenchSettings.LargePayload, megabytes: true, monitorBroker: false),
            _ => throw new ArgumentException($"unknown workload '{workload}'", nameof(workload)),
        };
    }

    /// <summary>A result line; in a monitoring comparison it says which broker it was and what read its endpoint.</summary>
    private static void Print(BenchSettings settings, BenchResult result, IEnumerable<(string, string)> seen)
    {
        BenchResult named = settings.Label is { } label ? result with { System = label } : result;
        Console.WriteLine((settings.Monitoring is null ? named : named with { Extra = [.. named.Extra, ("monitoring", settings.Monitoring), .. seen] }).ToString());
    }
}
