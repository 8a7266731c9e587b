using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mq.Client;

namespace Mq.Hosting;

/// <summary>
/// Connects the registered <see cref="MqClient"/> when the host starts (failing the start if the broker cannot be
/// reached in time), opens every registered subscription and service, then sends the <see cref="ReadySignal"/>,
/// and closes them, draining, when it stops.
/// </summary>
internal sealed partial class MqHostedService(MqClient client, IEnumerable<MqRegistration> registrations, IServiceScopeFactory scopes, ILogger<MqHostedService> logger) : IHostedService
{
    private readonly List<IAsyncDisposable> _open = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await client.ConnectAsync(cancellationToken);
        foreach (MqRegistration registration in registrations)
        {
            _open.Add(await registration.Open(client, scopes, cancellationToken));
            LogOpened(registration.Description);
        }

        await ReadySignal.SendAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Services and subscriptions finish what they hold first; the client then drains what they sent.
        foreach (IAsyncDisposable open in Enumerable.Reverse(_open))
        {
            await open.DisposeAsync();
        }

        _open.Clear();
        await client.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mq {Description} is open")]
    private partial void LogOpened(string description);
}
