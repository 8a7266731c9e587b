using Mq.Testing;

namespace Mq.CliTests;

/// <summary>One broker process per test class; each test uses its own subjects.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private PeerProcess? _broker;

    public string Endpoint { get; private set; } = "";

    public async Task InitializeAsync() => (_broker, Endpoint) = await BrokerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
