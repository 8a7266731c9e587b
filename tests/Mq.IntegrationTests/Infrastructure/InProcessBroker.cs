using Mq.Broker.Server;
using Mq.Client;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>A real broker on a free loopback port inside the test process.</summary>
public sealed class InProcessBroker : IAsyncDisposable
{
    private readonly List<MqClient> _clients = [];

    public InProcessBroker(Func<BrokerOptions, BrokerOptions>? configure = null)
    {
        var options = new BrokerOptions { Endpoint = "tcp://127.0.0.1:0", Name = "test-broker" };
        Server = new BrokerServer(configure?.Invoke(options) ?? options);
        Server.Start();
    }

    public BrokerServer Server { get; }

    public string Endpoint => Server.Endpoint;

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

        await Server.DisposeAsync();
    }
}
