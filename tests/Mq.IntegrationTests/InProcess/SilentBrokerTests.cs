using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

/// <summary>
/// docs/protocol.md section 5: a peer that hears nothing from its broker for <c>timeout_ms</c> drops the connection
/// and connects anew, since a broker that stalled may have forgotten it while the TCP connection (and ZeroMQ's own
/// heartbeats) lived on, and a broker greets only new connections.
/// </summary>
public sealed class SilentBrokerTests
{
    [Fact]
    public async Task A_peer_whose_broker_falls_silent_drops_the_connection_and_connects_anew()
    {
        await using var broker = new SilentBroker(timeoutMs: 300);
        await using MqClient peer = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = broker.Endpoint, Name = "patient" });

        await broker.Reconnected.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
