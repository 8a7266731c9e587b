using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Security;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Security;

/// <summary><c>Mq.Broker keygen</c> and the broker executable and CLI peers running on its keys.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BrokerKeyProcessTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Keygen_writes_a_private_secret_and_a_matching_public_key_and_refuses_to_overwrite()
    {
        using var keys = new TempKeys();
        string path = keys.PathOf("broker.key");

        (int exitCode, PeerProcess run) = await KeygenAsync(path);
        await using (run)
        {
            Assert.Equal(0, exitCode);
            string printed = run.StandardOutput.Single(l => l.Length > 0);
            Assert.Equal(printed, CurveKeys.ReadPublicKeyFile(path + ".pub"));
            Assert.Equal(printed, CurveKeys.LoadSecretKeyFile(path).PublicKeyZ85);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path + ".pub"));
        }

        string secretBefore = await File.ReadAllTextAsync(path);
        (int refused, PeerProcess again) = await KeygenAsync(path);
        await using (again)
        {
            Assert.NotEqual(0, refused);
            Assert.Contains("--force", again.Output);
            Assert.Equal(secretBefore, await File.ReadAllTextAsync(path));
        }

        // A loosened file is replaced, not truncated: the new secret is private again.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        (int forced, PeerProcess replaced) = await KeygenAsync(path, "--force");
        await using (replaced)
        {
            Assert.Equal(0, forced);
            Assert.NotEqual(secretBefore, await File.ReadAllTextAsync(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task The_broker_runs_on_a_generated_key_never_prints_the_secret_and_a_cli_peer_pinned_to_the_pub_file_works()
    {
        using var keys = new TempKeys();
        string path = keys.PathOf("broker.key");
        (int exitCode, PeerProcess run) = await KeygenAsync(path);
        await using (run)
        {
            Assert.Equal(0, exitCode);
        }

        string secret = CurveKeys.LoadSecretKeyFile(path).SecretKeyZ85!;
        string publicKey = CurveKeys.ReadPublicKeyFile(path + ".pub");
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", $"--Broker:Curve:SecretKeyFile={path}");
        await using (broker)
        {
            await using PeerProcess subscriber = PeerProcess.Start("Mq.Subscriber",
                ["--topic", "keyed.>", "--count", "1", "--broker", endpoint, "--broker-key", "@" + path + ".pub", "--name", "pinned-cli"]);
            await subscriber.WaitForLineAsync("subscribed to", Waits.Default, onStandardError: true);

            await using MqClient publisher = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = endpoint, Name = "pinned", BrokerPublicKey = publicKey });
            await publisher.PublishAsync("keyed.hello", "through-the-channel");

            await subscriber.WaitForLineAsync("through-the-channel", Waits.Default, onStandardError: false);
            Assert.Equal(0, await subscriber.WaitForExitAsync(ExitTimeout));

            await using PeerProcess healthy = PeerProcess.Start("Mq.Broker", ["health", "--endpoint", endpoint, "--broker-key", "@" + path + ".pub"]);
            Assert.Equal(0, await healthy.WaitForExitAsync(ExitTimeout));

            // With another key the probe's handshake fails: health proves the broker holds the key, not only that it answers.
            await using PeerProcess impostor = PeerProcess.Start("Mq.Broker", ["health", "--endpoint", endpoint, "--broker-key", new NetMQ.NetMQCertificate().PublicKeyZ85!]);
            Assert.NotEqual(0, await impostor.WaitForExitAsync(ExitTimeout));
            Assert.Contains("does not hold the broker key", impostor.Output);

            Assert.Contains(publicKey, broker.Output);
            Assert.DoesNotContain(secret, broker.Output);
        }
    }

    [Fact]
    public async Task A_secret_key_given_in_configuration_never_appears_in_the_output()
    {
        string secret = new NetMQ.NetMQCertificate().SecretKeyZ85!;
        var environment = new Dictionary<string, string> { ["MQ_Broker__Curve__SecretKey"] = secret };
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", environment);
        await using (broker)
        {
            await using MqClient peer = await MqClient.ConnectAsync(MqClientOptions.Default with
            {
                Endpoint = endpoint,
                Name = "env-keyed",
                BrokerPublicKey = NetMQ.NetMQCertificate.CreateFromSecretKey(secret).PublicKeyZ85,
            });
            await broker.WaitForLineAsync("Peer env-keyed", Waits.Default);
            Assert.DoesNotContain(secret, broker.Output);
        }

        // A key one character short: refused in one line that does not repeat it.
        environment["MQ_Broker__Curve__SecretKey"] = secret[..39];
        await using PeerProcess refused = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0"], environment);
        Assert.Equal(3, await refused.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Broker:Curve:SecretKey must be 40 z85 characters", refused.Output);
        Assert.DoesNotContain(secret[..39], refused.Output);
        Assert.DoesNotContain("   at ", refused.Output);
    }

    [Theory]
    [InlineData("0640")]
    [InlineData("0604")]
    public async Task The_broker_refuses_a_secret_key_file_others_can_read(string mode)
    {
        using var keys = new TempKeys();
        (_, string path) = keys.Write("broker.key");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));

        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", $"--Broker:Curve:SecretKeyFile={path}"]);

        Assert.Equal(3, await broker.WaitForExitAsync(ExitTimeout));
        Assert.Contains($"is accessible by group or others (mode {mode}); run chmod 600 on it", broker.Output);
        Assert.DoesNotContain("   at ", broker.Output);
    }

    private static async Task<(int ExitCode, PeerProcess Process)> KeygenAsync(string path, params string[] extra)
    {
        PeerProcess process = PeerProcess.Start("Mq.Broker", ["keygen", "--out", path, .. extra]);
        return (await process.WaitForExitAsync(ExitTimeout), process);
    }
}
