using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mq.Broker.Server;

namespace Mq.Broker.Hosting;

/// <summary>Runs a <see cref="BrokerServer"/> for the host's lifetime. Binds in StartAsync so a bind failure fails the start.</summary>
public sealed class BrokerHostedService(IOptions<BrokerOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private BrokerServer? _server;

    public BrokerServer Server => _server ?? throw new InvalidOperationException("The broker has not started.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BrokerServer(options.Value, loggerFactory);
        return _server.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
