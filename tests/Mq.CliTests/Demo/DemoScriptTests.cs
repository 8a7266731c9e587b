using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>scripts/demo.sh itself, where it needs no build: what it does when its port is not usable.</summary>
public sealed class DemoScriptTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_taken_port_fails_at_once_naming_MQ_DEMO_PORT_before_building_anything()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        ExternalCommand.Result result = await RunAsync(port);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"port {port} is already in use on 127.0.0.1: stop what listens there, or set MQ_DEMO_PORT to a free port", result.Output.Trim());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("70000")]
    public async Task A_port_that_is_no_port_number_fails_at_once_naming_MQ_DEMO_PORT(string port)
    {
        ExternalCommand.Result result = await RunAsync(port);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"MQ_DEMO_PORT='{port}' is not a port number (1 to 65535)", result.Output.Trim());
    }

    private static Task<ExternalCommand.Result> RunAsync(string port) =>
        ExternalCommand.RunAsync("bash", [Path.Combine(RepositoryRoot.Path, "scripts", "demo.sh")], Bound, environment: new Dictionary<string, string> { ["MQ_DEMO_PORT"] = port });
}
