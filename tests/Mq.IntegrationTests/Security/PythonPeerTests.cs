using Mq.Testing;

namespace Mq.IntegrationTests.Security;

/// <summary>
/// A peer written in Python from docs/protocol.md alone (tests/python/secure_peer.py): the secure channel, the
/// identity proof over its handshake hash, SUB and PUB, against a broker process with a key and a policy.
/// Needs Debian's python3-zmq and python3-cryptography (scripts/ci-setup.sh installs them).
/// </summary>
public sealed class PythonPeerTests
{
    [Fact]
    public async Task A_python_peer_from_the_docs_completes_the_channel_proves_its_identity_and_gets_its_message_back()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync();
        ExternalCommand.Result result = await ExternalCommand.RunAsync(
            "/usr/bin/python3",
            [
                System.IO.Path.Combine(RepositoryRoot.Path, "tests", "python", "secure_peer.py"),
                "--endpoint", broker.Endpoint, "--broker-key", broker.BrokerPublicKey,
                "--identity", "trusted", "--identity-key", broker.KeyFile("trusted"), "--subject", "python.secure.test",
            ],
            TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"secure_peer.py exited {result.ExitCode}:\n{result.Output}");
        Assert.EndsWith("ok", result.Output.TrimEnd());
    }
}
