using System.Text.RegularExpressions;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>The executables with discovery: a broker started with --discovery, peers with --broker auto.</summary>
public sealed partial class DiscoveryCliTests
{
    [Fact]
    public async Task A_subscriber_and_a_publisher_started_with_broker_auto_find_the_broker_and_exchange_a_message()
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--discovery", "127.0.0.1:0"]);
        string discovery = DiscoveryLine().Match(await broker.WaitForLineAsync(line => DiscoveryLine().IsMatch(line), BrokerProcess.StartTimeout)).Groups["address"].Value;
        string topic = Cli.Unique("found");

        await using PeerProcess subscriber = await Cli.SubscribedAsync("auto", "--discovery", discovery, "--topic", topic, "--count", "1");
        await using PeerProcess publisher = Cli.Publisher("auto", "--discovery", discovery, "--topic", topic, "--message", "hello");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(subscriber.StandardOutput, line => line.Contains("hello", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_no_broker_answering_a_peer_started_with_broker_auto_says_so_and_exits_2()
    {
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        string address = silent.Client.LocalEndPoint!.ToString()!;

        await using PeerProcess publisher = Cli.Publisher("auto", "--discovery", address, "--connect-timeout", "800", "--topic", "t", "--message", "x");

        Assert.Equal(2, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(publisher.StandardError, line => line.Contains($"no Mq broker answered discovery at {address} within 0.8 s", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"Discovery on udp://(?<address>\S+):")]
    private static partial Regex DiscoveryLine();
}
