using Mq.Testing;

namespace Mq.CliTests;

/// <summary>The command-line peers against a broker with a security policy: --identity/--identity-key, and exit 8 when refused.</summary>
public sealed class SecuredBrokerCliTests : IAsyncLifetime
{
    private SecuredBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await SecuredBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Peers_with_an_identity_work_within_their_rights_and_are_refused_beyond_them()
    {
        string topic = Cli.Unique("public");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(_broker.Endpoint, [.. As("guest"), "--topic", topic, "--count", "1"]);
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, [.. As("trusted"), "--topic", topic, "--message", "hello"]);
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal($"[{topic}] \"hello\"", subscriber.StandardOutput.Single());

        await using PeerProcess snooper = Cli.Subscriber(_broker.Endpoint, [.. As("guest"), "--topic", "orders.>"]);
        Assert.Equal(8, await snooper.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(snooper.StandardError, line => line.Contains("orders.>") && line.Contains("not allowed"));
    }

    [Fact]
    public async Task A_peer_without_an_identity_exits_with_the_permission_code()
    {
        await using PeerProcess anonymous = Cli.Subscriber(_broker.Endpoint, "--broker-key", "@" + _broker.BrokerKeyFile, "--topic", "public.>");
        Assert.Equal(8, await anonymous.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(anonymous.StandardError, line => line.Contains("authenticated identity"));
    }

    /// <summary>
    /// The downgrade of issue #11: a fake broker answers with a legacy greeting (which NetMQ's client accepts whatever
    /// it was told), then a plaintext CHALLENGE. The pinned CLI peer sends it nothing but its handshake message:
    /// no HELLO, no AUTH, no identity, no topic; the real broker never sees the identity; the CLI says why and exits 2.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fake_broker_with_a_legacy_greeting_learns_nothing_and_the_cli_cannot_connect(bool zmtp1)
    {
        await using var fake = new LegacyFakeBroker(zmtp1);
        string topic = Cli.Unique("orders.downgrade");
        await using PeerProcess victim = Cli.Subscriber(fake.Endpoint, [.. As("trusted"), "--topic", topic, "--connect-timeout", "3000"]);

        Assert.Equal(2, await victim.WaitForExitAsync(Cli.Timeout));
        Assert.True(victim.StandardError.Any(line => line.Contains("did not prove it holds the pinned key")), victim.Output);
        byte[] recorded = fake.Recorded;
        foreach (string marker in new[] { "trusted", topic, "mq-subscriber" })
        {
            Assert.True(recorded.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) < 0, $"the fake saw '{marker}'");
        }

        Assert.True(recorded.AsSpan().IndexOf((byte[])[0x92, 0x13, 0xc4, 0x30]) >= 0, "the peer's SECURE message is what the fake should see");
        Assert.DoesNotContain(_broker.Process.Output.Split('\n'), line => line.Contains("identity trusted"));
    }

    private string[] As(string identity) => ["--broker-key", "@" + _broker.BrokerKeyFile, "--identity", identity, "--identity-key", _broker.KeyFile(identity)];
}
