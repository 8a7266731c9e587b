namespace Mq.CliTests;

/// <summary>A broker with tiny limits, to provoke the errors only a broker reports.</summary>
public sealed class LimitedBrokerFixture() : BrokerFixture(["--Broker:MaxPayloadBytes=1024", "--Broker:MaxSubscriptionsPerPeer=1"]);
