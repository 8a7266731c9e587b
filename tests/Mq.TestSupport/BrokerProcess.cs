using System.Text.RegularExpressions;
using Mq.Testing;

namespace Mq.TestSupport;

/// <summary>The Mq.Broker executable on a free loopback port, with the endpoint it reports when ready.</summary>
public static partial class BrokerProcess
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts a broker and waits for its ready line; <paramref name="endpoint"/> defaults to a free port.</summary>
    public static Task<(PeerProcess Process, string Endpoint)> StartAsync(string endpoint = "tcp://127.0.0.1:0", params string[] extraArguments) =>
        StartAsync(endpoint, null, extraArguments);

    /// <summary>As above, with extra environment variables for the broker process (runtime settings, say).</summary>
    public static async Task<(PeerProcess Process, string Endpoint)> StartAsync(string endpoint, IReadOnlyDictionary<string, string>? environment, params string[] extraArguments)
    {
        PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", endpoint, .. extraArguments], environment);
        try
        {
            string ready = await broker.WaitForLineAsync(line => ReadyLine().IsMatch(line), StartTimeout);
            return (broker, ReadyLine().Match(ready).Groups["endpoint"].Value);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a broker with its HTTP monitoring endpoint on a free loopback port, and waits for both ready lines:
    /// the endpoint peers connect to and the monitoring address (<c>http://127.0.0.1:port/</c>).
    /// </summary>
    public static async Task<(PeerProcess Process, string Endpoint, Uri Monitoring)> StartMonitoredAsync(params string[] extraArguments)
    {
        (PeerProcess broker, string endpoint) = await StartAsync("tcp://127.0.0.1:0", ["--monitor", "127.0.0.1:0", .. extraArguments]);
        try
        {
            string line = await broker.WaitForLineAsync(line => MonitoringLine().IsMatch(line), StartTimeout);
            return (broker, endpoint, new Uri(MonitoringLine().Match(line).Groups["address"].Value));
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"Monitoring on (?<address>http://\S+)")]
    private static partial Regex MonitoringLine();

    [GeneratedRegex(@"ready on (?<endpoint>(tcp|unix)://\S+)")]
    private static partial Regex ReadyLine();
}
