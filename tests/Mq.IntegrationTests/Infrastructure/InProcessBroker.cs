using Mq.Broker.Server;
using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>The kit's in-process <see cref="TestBroker"/>, with the clients a test connects disposed along with it.</summary>
public sealed class InProcessBroker : IAsyncDisposable
{
    private readonly TestBroker _broker;
    private readonly List<MqClient> _clients = [];

    private InProcessBroker(TestBroker broker) => _broker = broker;

    public BrokerServer Server => _broker.Server!;

    public string Endpoint => _broker.Endpoint;

    public static async Task<InProcessBroker> StartAsync(Action<BrokerOptions>? configure = null) =>
        new(await TestBroker.StartAsync(o =>
        {
            o.Broker.Name = "test-broker";
            configure?.Invoke(o.Broker);
        }));

    /// <summary>A connected client that is disposed with the broker.</summary>
    public async Task<MqClient> ConnectAsync(string name, Func<MqClientOptions, MqClientOptions>? configure = null)
    {
        MqClientOptions options = MqClientOptions.Default with { Endpoint = Endpoint, Name = name };
        MqClient client = await MqClient.ConnectAsync(configure?.Invoke(options) ?? options);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (MqClient client in _clients)
        {
            await client.DisposeAsync();
        }

        await _broker.DisposeAsync();
    }
}
