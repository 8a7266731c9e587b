using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>One broker process per test class; each test uses its own subjects.</summary>
public class BrokerFixture : IAsyncLifetime
{
    private readonly string[] _arguments;
    private PeerProcess? _broker;

    public BrokerFixture()
        : this([])
    {
    }

    protected BrokerFixture(string[] arguments) => _arguments = arguments;

    public string Endpoint { get; private set; } = "";

    public async Task InitializeAsync() => (_broker, Endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", _arguments);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
