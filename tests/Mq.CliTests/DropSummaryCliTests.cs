using System.Text.RegularExpressions;
using Mq.Testing;

namespace Mq.CliTests;

/// <summary>How subscribe tells of what it lost: a line a second at most, and a total at the end.</summary>
public sealed partial class DropSummaryCliTests(SmallQueueBrokerFixture fixture) : IClassFixture<SmallQueueBrokerFixture>
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [Fact]
    public async Task A_burst_lost_while_paused_is_reported_in_a_few_lines_and_a_final_total_that_adds_up()
    {
        const int Burst = 50_000;
        string topic = Cli.Unique("paused");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, topic);

        // Paused, it reads nothing: the broker's 64 KiB queue towards it fills and the rest of the burst is dropped.
        subscriber.Signal(SigStop);
        try
        {
            await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, topic, "--size", "128", "--count", Burst.ToString());
            Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        }
        finally
        {
            subscriber.Signal(SigCont);
        }

        // Everything published is either printed or counted lost, once the subscriber has caught up.
        long SoFar() => subscriber.StandardError.Select(line => SoFarLine().Match(line)).Where(m => m.Success).Select(m => long.Parse(m.Groups["total"].Value)).DefaultIfEmpty(0).Max();
        await Waiting.UntilAsync(() => subscriber.StandardOutput.Count + SoFar() == Burst, Cli.Timeout);
        long lost = SoFar();
        Assert.InRange(lost, 1, Burst - 1);

        subscriber.Signal(15);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal($"warning: lost {lost} messages in all (the broker dropped them)", subscriber.StandardError[^1]);

        // One line a second at most, not one per gap: the subscriber ran a few seconds at most after the burst.
        int warnings = subscriber.StandardError.Count(line => line.StartsWith("warning: lost ", StringComparison.Ordinal));
        Assert.InRange(warnings, 2, 10);
    }

    [GeneratedRegex(@"^warning: lost \d+ messages? \(.*\); (?<total>\d+) in all so far$")]
    private static partial Regex SoFarLine();
}
