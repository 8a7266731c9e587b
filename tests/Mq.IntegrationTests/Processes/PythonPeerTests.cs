using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>A peer in another language, on another ZeroMQ (libzmq through pyzmq), against a broker process.</summary>
public sealed class PythonPeerTests(ITestOutputHelper output)
{
    /// <summary>Debian's interpreter, which has python3-zmq (installed by scripts/ci-setup.sh).</summary>
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task A_pyzmq_dealer_does_hello_sub_and_pub_against_the_broker()
    {
        Assert.True(ExternalCommand.Succeeds(Python, "-c", "import zmq"), $"{Python} has no zmq module: run scripts/ci-setup.sh (python3-zmq)");
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            string script = Path.Combine(AppContext.BaseDirectory, "Python", "dealer_peer.py");
            ExternalCommand.Result result = await ExternalCommand.RunAsync(Python, [script, endpoint], TimeSpan.FromSeconds(30));
            output.WriteLine(result.Output);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("ok: MSG seq=1 subject=py.test", result.Output);
            await broker.WaitForLineAsync("Peer python-peer", TimeSpan.FromSeconds(5));
        }
    }
}
