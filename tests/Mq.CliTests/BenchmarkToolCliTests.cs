using System.Text.RegularExpressions;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>
/// The benchmark tool runs end to end at a tiny scale: every workload completes and nothing is lost. This checks the
/// tool and the processes it starts, not speed (numbers at this scale mean nothing; see docs/performance.md).
/// </summary>
public sealed partial class BenchmarkToolCliTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("mq")]
    [InlineData("mq-plain")]
    [InlineData("mq-rpc")]
    public async Task Every_Mq_workload_completes_without_loss(string system)
    {
        string broker = Path.Combine(AppContext.BaseDirectory, "Mq.Broker.dll");
        await using PeerProcess bench = PeerProcess.Start("Mq.Benchmarks", ["--system", system, "--broker-dll", broker, "--scale", "0.001", "--warmup", "0.2", "--timeout", "60"]);

        Assert.True(await bench.WaitForExitAsync(Bound) == 0, bench.Output);
        IReadOnlyList<Match> results = Results(bench);
        Assert.Equal(["idle", "W1", "W1", "W1", "W2", "W3", "W3", "W4", "W4", "W5"], results.Select(r => r.Groups["workload"].Value));
        Assert.All(results, r => Assert.True(r.Groups["status"].Value == "ok" && r.Groups["lost"].Value is "0" or "na", r.Value));
    }

    [Fact]
    public async Task With_monitoring_both_each_workload_runs_against_a_plain_and_a_monitored_broker_that_was_read()
    {
        string broker = Path.Combine(AppContext.BaseDirectory, "Mq.Broker.dll");
        await using PeerProcess bench = PeerProcess.Start("Mq.Benchmarks", ["--broker-dll", broker, "--workloads", "W1", "W4", "--monitoring", "both", "--scale", "0.001", "--warmup", "1.5", "--timeout", "60"]);

        Assert.True(await bench.WaitForExitAsync(Bound) == 0, bench.Output);
        string[] throughput = bench.StandardOutput.Where(line => BenchLine().Match(line).Groups["metric"].Value is "msgs_per_s" or "requests_per_s").ToArray();
        Assert.Equal(4, throughput.Length);
        Assert.Matches("workload=W1 .*monitoring=off$", throughput[0]);
        Assert.Matches("workload=W1 .*monitoring=on live_events=[1-9][0-9]* scrapes=[1-9]", throughput[1]);
        Assert.Matches("workload=W4 .*monitoring=off$", throughput[2]);
        Assert.Matches("workload=W4 .*monitoring=on live_events=", throughput[3]);
        Assert.All(Results(bench), r => Assert.True(r.Groups["status"].Value == "ok" && r.Groups["lost"].Value is "0" or "na", r.Value));
    }

    [Fact]
    public async Task The_NetMQ_floor_measures_request_reply_and_says_what_it_does_not_measure()
    {
        await using PeerProcess bench = PeerProcess.Start("Mq.Benchmarks", ["--system", "netmq", "--scale", "0.01", "--timeout", "60"]);

        Assert.True(await bench.WaitForExitAsync(Bound) == 0, bench.Output);
        var statuses = Results(bench).Select(r => $"{r.Groups["workload"].Value} {r.Groups["metric"].Value} {r.Groups["status"].Value} lost={r.Groups["lost"].Value}");
        Assert.Equal(
            ["W1 msgs_per_s na lost=na", "W2 msgs_per_s na lost=na", "W3 p50_us ok lost=0", "W3 p99_us ok lost=0", "W4 requests_per_s ok lost=0", "W5 mb_per_s na lost=na"],
            statuses);
    }

    private static List<Match> Results(PeerProcess bench) =>
        bench.StandardOutput.Select(line => BenchLine().Match(line)).Where(m => m.Success).ToList();

    [GeneratedRegex(@"^BENCH system=\S+ workload=(?<workload>\S+) metric=(?<metric>\S+) value=\S+ lost=(?<lost>\S+) status=(?<status>\S+)")]
    private static partial Regex BenchLine();
}
