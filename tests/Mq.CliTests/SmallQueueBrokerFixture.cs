using Mq.Testing;

namespace Mq.CliTests;

/// <summary>
/// A broker that queues at most 64 KiB towards a connection, so a paused subscriber loses messages at once; its
/// peer timeout is long enough that the pause does not look like a dead peer.
/// </summary>
public sealed class SmallQueueBrokerFixture : BrokerFixture
{
    protected override void Configure(TestBrokerOptions options)
    {
        options.Broker.SendQueueBytes = 65536;
        options.Broker.PeerTimeout = TimeSpan.FromMinutes(1);
    }
}
