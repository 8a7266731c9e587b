using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A broker in the test process with a serving client and a calling one, whose own request timeout is long, so that only the deadline a test sets ends a call.</summary>
public abstract class RpcTestBase : IAsyncLifetime
{
    protected TestBroker Broker { get; private set; } = null!;

    protected MqClient Server { get; private set; } = null!;

    protected MqClient Caller { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await TestBroker.StartAsync();
        Server = await Broker.ConnectAsync("server");
        Caller = await MqClient.ConnectAsync(Broker.ClientOptions("caller") with { RequestTimeout = TimeSpan.FromSeconds(60) });
    }

    public async Task DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Server.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
