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

    private string[] As(string identity) => ["--broker-key", "@" + _broker.BrokerKeyFile, "--identity", identity, "--identity-key", _broker.KeyFile(identity)];
}
