using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mq.Benchmarks;

/// <summary>
/// Starts an Mq broker process on a free loopback port and reads the endpoint from its ready line; with
/// <c>unix</c>, on a Unix socket in the temp directory as well, and that endpoint is the one returned; with
/// <c>monitored</c>, also its HTTP monitoring endpoint on another free loopback port.
/// </summary>
internal static partial class BrokerLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static int _started;

    public static async Task<(ChildProcess Broker, string Endpoint, Uri? Monitoring)> StartAsync(string? brokerDll, bool monitored, bool unix)
    {
        string dll = brokerDll ?? FindBrokerDll();
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll, "--endpoint", "tcp://127.0.0.1:0" } };
        if (unix)
        {
            // The broker removes its socket file when it stops, and replaces a stale one a killed broker left.
            string socket = Path.Combine(Path.GetTempPath(), $"mq-bench-{Environment.ProcessId}-{Interlocked.Increment(ref _started)}.sock");
            start.ArgumentList.Add("--endpoint");
            start.ArgumentList.Add("unix://" + socket);
        }

        if (monitored)
        {
            start.ArgumentList.Add("--monitor");
            start.ArgumentList.Add("127.0.0.1:0");
        }

        ChildProcess broker = ChildProcess.Start(start);
        try
        {
            string ready = await broker.WaitForLineAsync(line => ReadyLine().IsMatch(line), StartTimeout);
            string endpoint = ReadyLine().Match(ready).Groups[unix ? "unix" : "endpoint"].Value;
            if (!monitored)
            {
                return (broker, endpoint, null);
            }

            string monitoring = await broker.WaitForLineAsync(line => MonitoringLine().IsMatch(line), StartTimeout);
            return (broker, endpoint, new Uri(MonitoringLine().Match(monitoring).Groups["address"].Value));
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The broker built beside this tool: Release if present, else Debug, under the repository holding Mq.sln.</summary>
    private static string FindBrokerDll()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mq.sln")))
            {
                foreach (string configuration in new[] { "Release", "Debug" })
                {
                    string candidate = Path.Combine(dir.FullName, "src", "Broker", "bin", configuration, "net10.0", "Mq.Broker.dll");
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }

        throw new FileNotFoundException("Mq.Broker.dll not found: build the solution, or pass --broker-dll or --endpoint");
    }

    [GeneratedRegex(@"Monitoring on (?<address>http://\S+)")]
    private static partial Regex MonitoringLine();

    [GeneratedRegex(@"ready on (?<endpoint>tcp://\S+)( (?<unix>unix://\S+))?")]
    private static partial Regex ReadyLine();
}
