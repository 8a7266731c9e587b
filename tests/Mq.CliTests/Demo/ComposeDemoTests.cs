using System.Net;
using System.Net.Sockets;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>The docker-compose demo, built and run for real: messages flow in both patterns between containers.</summary>
public sealed class ComposeDemoTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan FlowTimeout = TimeSpan.FromMinutes(2);

    [DockerFact]
    public async Task Compose_up_shows_both_kinds_of_subscriber_receiving_and_requests_answered()
    {
        string project = $"mqtest{Guid.NewGuid():N}"[..16];
        var environment = new Dictionary<string, string> { ["MQ_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };

        await Run("bash", [Path.Combine(RepositoryRoot.Path, "scripts", "docker-standins.sh")], BuildTimeout);
        try
        {
            await Compose(project, environment, BuildTimeout, "build");
            await Compose(project, environment, FlowTimeout, "up", "-d");

            string logs = await WaitForLogsAsync(project, environment, [
                "subscriber_1 ", "worker-1_1 ", "worker-2_1 ",
            ]);
            Assert.Matches(@"publisher_1\s+\| .*reply from demo\.stats: \{""Name"":", logs);
        }
        finally
        {
            await Compose(project, environment, FlowTimeout, "down", "--volumes", "--rmi", "local", "--timeout", "10");
        }
    }

    /// <summary>Polls the stack's logs (bounded) until each service has received a tick and the publisher got a stats reply.</summary>
    private static async Task<string> WaitForLogsAsync(string project, Dictionary<string, string> environment, string[] receivers)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string logs = "";
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (clock.Elapsed < FlowTimeout)
        {
            logs = (await Compose(project, environment, FlowTimeout, "logs", "--no-color")).Output;
            bool everyoneReceived = receivers.All(service => logs.Split('\n').Any(line => line.StartsWith(service, StringComparison.Ordinal) && line.Contains("received demo.ticks", StringComparison.Ordinal)));
            if (everyoneReceived && logs.Contains("reply from demo.stats", StringComparison.Ordinal))
            {
                return logs;
            }

            await ticks.WaitForNextTickAsync();
        }

        throw new TimeoutException($"the demo did not show messages flowing in both patterns within {FlowTimeout.TotalMinutes} min. Logs:\n{logs}");
    }

    private static Task<ExternalCommand.Result> Compose(string project, Dictionary<string, string> environment, TimeSpan timeout, params string[] arguments) =>
        Run("docker-compose", ["--project-name", project, .. arguments], timeout, environment);

    private static async Task<ExternalCommand.Result> Run(string file, string[] arguments, TimeSpan timeout, Dictionary<string, string>? environment = null)
    {
        ExternalCommand.Result result = await ExternalCommand.RunAsync(file, arguments, timeout, RepositoryRoot.Path, environment);
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}");
        return result;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
