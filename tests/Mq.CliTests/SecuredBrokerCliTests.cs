using Mq.Testing;
using Mq.TestSupport;

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

    [Fact]
    public async Task A_refused_publish_exits_with_the_permission_code_and_one_line_naming_the_subject()
    {
        string topic = Cli.Unique("orders");
        await using PeerProcess listener = await Cli.SubscribedAsync(_broker.Endpoint, [.. As("trusted"), "--topic", $"{topic}.>"]);
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, [.. As("guest"), "--topic", $"{topic}.fake", "--message", "x", "--count", "3"]);

        Assert.Equal(8, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Empty(publisher.StandardOutput);
        string line = Assert.Single(publisher.StandardError);
        Assert.Equal($"error: publish to '{topic}.fake' is not allowed for identity 'guest' (and 2 more refusals since the last flush)", line);

        // And nothing reached the trusted subscriber of that subject.
        Assert.DoesNotContain(listener.StandardOutput, output => output.Contains(topic));
    }


    /// <summary>
    /// The downgrade of issue #11: a fake broker answers with a legacy greeting, then a plaintext CHALLENGE. The pinned
    /// CLI peer refuses the greeting at its first wrong byte and sends it nothing but its own ZMTP 3 greeting: no
    /// SECURE, no HELLO, no AUTH, no identity, no topic; the real broker never sees the identity; the CLI says why and exits 2.
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
        Assert.True(victim.StandardError.Any(line => line.Contains("the broker's greeting was refused")), victim.Output);
        byte[] recorded = fake.Recorded;
        foreach (string marker in new[] { "trusted", topic, "mq-subscriber" })
        {
            Assert.True(recorded.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) < 0, $"the fake saw '{marker}'");
        }

        Assert.True(recorded is [0xFF, ..], "the fake should see the peer's ZMTP 3 greeting");
        Assert.True(recorded.AsSpan().IndexOf((byte[])[0x92, 0x13, 0xc4, 0x30]) < 0, "the fake saw the peer's SECURE message");
        Assert.DoesNotContain(_broker.Process.Output.Split('\n'), line => line.Contains("identity trusted"));
    }

    /// <summary>
    /// The same fake, relaying to the real broker: the pinned peer's channel runs end to end through it, so it reads
    /// nothing (no topic, identity, name or payload in its recording), and a publish it injects as the victim ends the
    /// victim's session at the broker instead of reaching the trusted subscriber, which gets only the genuine message.
    /// </summary>
    [Fact]
    public async Task A_relaying_fake_broker_reads_nothing_and_what_it_injects_reaches_nobody()
    {
        await using var fake = new RelayingFakeBroker(_broker.Endpoint);
        string topic = Cli.Unique("orders.relay");
        await using PeerProcess witness = await Cli.SubscribedAsync(_broker.Endpoint, [.. As("trusted"), "--topic", topic, "--count", "1"]);
        await using PeerProcess victim = await Cli.SubscribedAsync(fake.Endpoint, [.. As("trusted"), "--name", "relayed-victim", "--topic", topic]);

        await fake.InjectAsync(Pub(topic, "INJECTED-BY-THE-RELAY"));
        await _broker.Process.WaitForLineAsync("a frame failed to decrypt", Cli.Timeout);
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, [.. As("trusted"), "--topic", topic, "--message", "genuine-message"]);
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        Assert.Equal(0, await witness.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(witness.StandardOutput, line => line.Contains("genuine-message"));
        Assert.DoesNotContain(witness.StandardOutput, line => line.Contains("INJECTED"));
        byte[] recorded = fake.Recorded;
        foreach (string marker in new[] { topic, "trusted", "relayed-victim", "genuine-message" })
        {
            Assert.True(recorded.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) < 0, $"the relay saw '{marker}'");
        }
    }

    /// <summary>PUB [10, subject, nil, bin(payload)] in plaintext, as the relay would forge it.</summary>
    private static byte[] Pub(string subject, string payload)
    {
        byte[] s = System.Text.Encoding.UTF8.GetBytes(subject);
        byte[] p = System.Text.Encoding.UTF8.GetBytes(payload);
        return [0x94, 0x0a, 0xd9, (byte)s.Length, .. s, 0xc0, 0xc4, (byte)p.Length, .. p];
    }

    private string[] As(string identity) => ["--broker-key", "@" + _broker.BrokerKeyFile, "--identity", identity, "--identity-key", _broker.KeyFile(identity)];
}
