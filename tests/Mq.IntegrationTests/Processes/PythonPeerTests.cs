using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// Peers written in Python from docs/protocol.md alone (tests/python), on another ZeroMQ (libzmq through pyzmq),
/// against a broker process: a plain one, and one that opens the secure channel and proves an identity over its
/// handshake hash. They need Debian's python3-zmq and python3-cryptography (scripts/ci-setup.sh installs them).
/// </summary>
public sealed class PythonPeerTests(ITestOutputHelper output)
{
    [PythonFact]
    public async Task A_pyzmq_dealer_does_hello_sub_and_pub_against_the_broker()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            ExternalCommand.Result result = await RunAsync("plain_peer.py", endpoint);
            Assert.Contains("ok: MSG seq=1 subject=py.test", result.Output);
            await broker.WaitForLineAsync("Peer python-peer", TimeSpan.FromSeconds(5));
        }
    }

    [PythonFact]
    public async Task A_pyzmq_dealer_over_ipc_reaches_the_brokers_unix_socket_endpoint_unchanged()
    {
        // libzmq's ipc:// is ZMTP over a Unix domain stream socket: the broker's unix:// endpoint, byte for byte.
        await using TwoEndpointBroker broker = await TwoEndpointBroker.StartAsync();
        ExternalCommand.Result result = await RunAsync("plain_peer.py", "ipc://" + broker.SocketPath);
        Assert.Contains("ok: MSG seq=1 subject=py.test", result.Output);
        string ready = await broker.Broker.WaitForLineAsync("Peer python-peer", TimeSpan.FromSeconds(5));
        Assert.Contains("connected from unix:pid=", ready);
    }

    [PythonFact]
    public async Task A_python_peer_from_the_docs_completes_the_channel_proves_its_identity_and_gets_its_message_back()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync();
        ExternalCommand.Result result = await RunAsync(
            "secure_peer.py",
            "--endpoint", broker.Endpoint, "--broker-key", broker.BrokerPublicKey,
            "--identity", "trusted", "--identity-key", broker.KeyFile("trusted"), "--subject", "python.secure.test");
        Assert.EndsWith("ok", result.Output.TrimEnd());
    }

    private async Task<ExternalCommand.Result> RunAsync(string script, params string[] arguments)
    {
        Assert.True(ExternalCommand.Succeeds(PythonFactAttribute.Python, "-c", "import zmq, cryptography"),
            $"{PythonFactAttribute.Python} lacks zmq or cryptography: run scripts/ci-setup.sh (python3-zmq, python3-cryptography)");
        ExternalCommand.Result result = await ExternalCommand.RunAsync(
            PythonFactAttribute.Python, [Path.Combine(RepositoryRoot.Path, "tests", "python", script), .. arguments], TimeSpan.FromSeconds(60));
        output.WriteLine(result.Output);
        Assert.True(result.ExitCode == 0, $"{script} exited {result.ExitCode}:\n{result.Output}");
        return result;
    }
}
