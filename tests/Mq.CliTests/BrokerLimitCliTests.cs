using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

public sealed class BrokerLimitCliTests(LimitedBrokerFixture fixture) : IClassFixture<LimitedBrokerFixture>
{
    [Fact]
    public async Task A_payload_over_the_brokers_limit_exits_with_the_bad_payload_code()
    {
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", Cli.Unique("big"), "--size", "2000");

        Assert.Equal(7, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains("exceeds the limit of 1024", publisher.StandardError.Single());
    }

    [Fact]
    public async Task Another_refusal_by_the_broker_exits_with_the_broker_error_code()
    {
        string root = Cli.Unique("limit");
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, "--topic", $"{root}.a", "--topic", $"{root}.b");

        Assert.Equal(9, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Contains("at most 1 subscriptions", subscriber.StandardError.Single());
        Assert.DoesNotContain("   at ", subscriber.Output);
    }
}
