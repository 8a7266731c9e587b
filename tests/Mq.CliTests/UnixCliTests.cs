using Mq.Testing;

namespace Mq.CliTests;

/// <summary>The command-line peers on a broker's Unix socket (the kit's broker with <see cref="TestBrokerOptions.Unix"/>), and their refusals of a bad one.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixCliTests(UnixCliTests.UnixBrokerFixture fixture) : IClassFixture<UnixCliTests.UnixBrokerFixture>
{
    [Fact]
    public async Task Publish_and_subscribe_between_two_processes_over_the_unix_socket()
    {
        Assert.StartsWith("unix:///", fixture.Broker.Endpoint);
        string topic = Cli.Unique("unix");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--count", "1");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--json", """{"over":"unix"}""");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal($$"""[{{topic}}] {"over":"unix"}""", subscriber.StandardOutput.Single());
    }

    [Fact]
    public async Task Request_and_serve_between_two_processes_over_the_unix_socket_beside_a_tcp_requester()
    {
        string service = Cli.Unique("unix-echo");
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", service);
        await using PeerProcess overUnix = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--json", """{"n":1}""", "--count", "3");
        await using PeerProcess overTcp = Cli.Publisher(fixture.Broker.TcpEndpoint, "request", "--service", service, "--json", """{"n":2}""");

        Assert.Equal(0, (await Cli.RunAsync(overUnix)).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(overTcp)).ExitCode);
        Assert.Equal(["""{"n":1}""", """{"n":1}""", """{"n":1}"""], overUnix.StandardOutput);
        Assert.Equal("""{"n":2}""", overTcp.StandardOutput.Single());
    }

    [Theory]
    [InlineData("unix://relative/broker.sock", "--broker: endpoint 'unix://relative/broker.sock': the socket path must be absolute")]
    [InlineData("pipe://a/b", "a pipe name must be non-empty and free of '/'")]
    public async Task A_bad_local_endpoint_is_a_usage_error_saying_what_is_wrong(string endpoint, string expected)
    {
        await using PeerProcess publisher = Cli.Publisher(endpoint, "--topic", "a", "--message", "x");
        Assert.Equal(1, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(publisher.StandardError, line => line.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broker_key_with_a_unix_endpoint_is_one_usage_error()
    {
        string key = new NetMQ.NetMQCertificate().PublicKeyZ85;
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, "--topic", "a", "--broker-key", key);
        Assert.Equal(1, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Contains(subscriber.StandardError, line => line.Contains("--broker-key cannot be used with unix://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_socket_file_that_does_not_exist_fails_the_connect_naming_the_file()
    {
        string missing = "unix://" + Path.Combine(Path.GetTempPath(), $"mq-none-{Guid.NewGuid():N}.sock");
        await using PeerProcess publisher = Cli.Publisher(missing, "--topic", "a", "--message", "x", "--connect-timeout", "500");
        Assert.Equal(2, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(publisher.StandardError, line => line.Contains($"no socket file at {missing["unix://".Length..]}", StringComparison.Ordinal));
    }

    /// <summary>The kit's broker on a Unix socket (and its free TCP port).</summary>
    public sealed class UnixBrokerFixture : BrokerFixture
    {
        protected override void Configure(TestBrokerOptions options) => options.Unix = true;
    }
}
