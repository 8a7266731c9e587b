using Mq.Testing;

namespace Mq.CliTests;

/// <summary>A broker with tiny limits, to provoke the errors only a broker reports.</summary>
public sealed class LimitedBrokerFixture : BrokerFixture
{
    protected override void Configure(TestBrokerOptions options)
    {
        options.Broker.MaxPayloadBytes = 1024;
        options.Broker.MaxSubscriptionsPerPeer = 1;
    }
}
