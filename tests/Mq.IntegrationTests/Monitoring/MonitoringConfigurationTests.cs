using System.Net;
using System.Net.Sockets;
using Mq.Broker.Hosting;
using Mq.Testing;

namespace Mq.IntegrationTests.Monitoring;

/// <summary>The broker executable refuses monitoring settings it cannot honour at start, with one clear line and no stack trace.</summary>
public sealed class MonitoringConfigurationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("0.0.0.0:0", "is not a loopback address")]
    [InlineData("example.org:8222", "must be host:port with an IP address or localhost")]
    [InlineData("127.0.0.1:99999", "must be host:port with an IP address or localhost")]
    [InlineData("127.0.0.1", "must be host:port with an IP address or localhost")]
    public async Task An_address_that_is_not_loopback_or_not_an_address_is_refused(string address, string expected)
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--monitor", address]);

        int exitCode = await broker.WaitForExitAsync(ExitTimeout);

        Assert.Equal(BrokerProgram.InvalidConfiguration, exitCode);
        Assert.Contains(expected, broker.Output);
        Assert.DoesNotContain("   at ", broker.Output);
    }

    [Fact]
    public async Task A_misspelt_monitoring_key_is_named_with_the_right_one()
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--Broker:Monitoring:Adress=127.0.0.1:0"]);

        int exitCode = await broker.WaitForExitAsync(ExitTimeout);

        Assert.Equal(BrokerProgram.InvalidConfiguration, exitCode);
        Assert.Contains("unknown setting Broker:Monitoring:Adress (did you mean Broker:Monitoring:Address?)", broker.Output);
    }

    [Fact]
    public async Task An_address_in_use_stops_the_start_as_a_bind_failure()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--monitor", $"127.0.0.1:{port}"]);

        int exitCode = await broker.WaitForExitAsync(ExitTimeout);

        Assert.Equal(BrokerProgram.CannotBind, exitCode);
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}", broker.Output);
        Assert.DoesNotContain("   at ", broker.Output);
    }
}
