using Mq.Client;

namespace Mq.Rpc;

/// <summary>An object served by <c>MqClient.ServeObjectAsync</c>: one service per method. Dispose to stop serving it.</summary>
public sealed class MqObjectService : IAsyncDisposable
{
    private readonly MqService[] _services;

    internal MqObjectService(string contract, MqService[] services)
    {
        Contract = contract;
        _services = services;
    }

    /// <summary>The contract's name.</summary>
    public string Contract { get; }

    /// <summary>The method services, with their counters.</summary>
    public IReadOnlyList<MqService> Services => _services;

    /// <summary>Stops serving every method; calls in progress finish as <see cref="MqService.DisposeAsync"/> says.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(_services).ConfigureAwait(false);

    internal static Task StopAsync(IEnumerable<MqService> services) => Task.WhenAll(services.Select(s => s.DisposeAsync().AsTask()));
}
