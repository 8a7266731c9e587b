using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mq.Benchmarks;

/// <summary>Starts an Mq broker process on a free loopback port and reads the endpoint from its ready line.</summary>
internal static partial class BrokerLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public static async Task<(ChildProcess Broker, string Endpoint)> StartAsync(string? brokerDll)
    {
        string dll = brokerDll ?? FindBrokerDll();
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll, "--endpoint", "tcp://127.0.0.1:0" } };
        ChildProcess broker = ChildProcess.Start(start);
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

    [GeneratedRegex(@"ready on (?<endpoint>tcp://\S+)")]
    private static partial Regex ReadyLine();
}
