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
        await using PeerProcess anonymous = Cli.Subscriber(_broker.Endpoint, "--topic", "public.>");
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

    private string[] As(string identity) => ["--identity", identity, "--identity-key", _broker.KeyFile(identity)];
}
