using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mq.Broker.Hosting;
using Mq.Broker.Server;

namespace Mq.Broker.Monitoring.Hosting;

/// <summary>
/// Serves the monitoring endpoint of the host's broker (<see cref="BrokerHostedService"/>) while the host runs,
/// when <c>Broker:Monitoring:Address</c> is set. Registered after the broker, so it starts after it and stops first.
/// </summary>
public sealed class BrokerMonitoringHostedService(BrokerHostedService broker, IOptions<BrokerOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private BrokerMonitor? _monitor;

    /// <summary>Where the endpoint listens; null while it is off or not started.</summary>
    public Uri? Address => _monitor?.Address;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Monitoring.Enabled)
        {
            _monitor = await BrokerMonitor.StartAsync(broker.Server, options.Value.Monitoring, loggerFactory, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_monitor is not null)
        {
            await _monitor.DisposeAsync();
        }
    }
}
