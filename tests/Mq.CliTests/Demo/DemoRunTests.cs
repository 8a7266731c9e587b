using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>
/// scripts/demo.sh run for real, twice: the first run builds if it must and the demo works; the second finds
/// nothing changed, says so and does not build again; Ctrl+C stops each cleanly.
/// </summary>
public sealed class DemoRunTests
{
    // The first run may build three projects in Release: on a fresh clone that is the longest step.
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_second_run_with_nothing_changed_skips_the_build_and_the_demo_works_both_times()
    {
        string port = LoopbackPort.Free();
        await RunDemoAsync(port, BuildBound);

        string second = await RunDemoAsync(port, Bound);

        Assert.Contains("build is up to date (nothing changed since the last build)", second);
        Assert.DoesNotContain("building the broker and the peers", second);
    }

    /// <summary>Runs the demo until ticks reach its subscriber and a stats request is answered, then interrupts it.</summary>
    private static async Task<string> RunDemoAsync(string port, TimeSpan startBound)
    {
        var start = PeerStart.Executable("bash", Path.Combine(RepositoryRoot.Path, "scripts", "demo.sh")) with
        {
            Environment = new Dictionary<string, string> { ["MQ_DEMO_PORT"] = port },
            WorkingDirectory = RepositoryRoot.Path,
        };
        await using PeerProcess demo = PeerProcess.Start(start);
        await demo.WaitForLineAsync($"demo running on tcp://127.0.0.1:{port}", startBound);
        await demo.WaitForLineAsync(line => line.StartsWith("subscriber |", StringComparison.Ordinal) && line.Contains("demo.ticks", StringComparison.Ordinal), Bound);
        await demo.WaitForLineAsync(line => line.StartsWith("publisher |", StringComparison.Ordinal) && line.Contains("stats", StringComparison.Ordinal), Bound);

        demo.Signal(2);
        Assert.Equal(0, await demo.WaitForExitAsync(Bound));
        Assert.Contains("stopping the demo...", demo.Output);
        return demo.Output;
    }
}
