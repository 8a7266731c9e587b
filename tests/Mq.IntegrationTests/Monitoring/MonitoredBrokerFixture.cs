using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Monitoring;

/// <summary>One Mq.Broker process with monitoring on a free loopback port, shared by a test class, and an HTTP client for it.</summary>
public sealed class MonitoredBrokerFixture : IAsyncLifetime
{
    private PeerProcess? _process;

    public string Endpoint { get; private set; } = "";

    public Uri Monitoring { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        (_process, Endpoint, Monitoring) = await BrokerProcess.StartMonitoredAsync();
        Http = new HttpClient { BaseAddress = Monitoring, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
