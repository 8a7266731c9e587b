using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Mq.Broker.Discovery;

namespace Mq.Broker.Server;

/// <summary>Discovery over UDP (<see cref="BrokerOptions.Discovery"/>): started with the broker, after its endpoint is bound.</summary>
public sealed partial class BrokerServer
{
    private DiscoveryResponder? _discovery;

    /// <summary>Where the broker answers discovery probes (with the real port when port 0 was asked for); null when discovery is off.</summary>
    public IPEndPoint? DiscoveryEndPoint => _discovery?.EndPoint;

    private void StartDiscovery()
    {
        if (_options.Discovery is not { Enabled: true } discovery)
        {
            return;
        }

        // Discovery serves peers on the network: they reach the broker over TCP, not its unix sockets.
        string reachable = Endpoints.FirstOrDefault(e => e.StartsWith("tcp://", StringComparison.Ordinal)) ?? Endpoint;
        try
        {
            _discovery = DiscoveryResponder.Start(discovery, reachable, _options.Name, _logger);
        }
        catch (SocketException ex)
        {
            Interlocked.Exchange(ref _state, 2);
            throw new BrokerBindException($"udp://{discovery.Address}", ex);
        }

        LogDiscovery(_discovery.EndPoint, discovery.Announce ?? reachable);
    }

    private async ValueTask StopDiscoveryAsync()
    {
        if (_discovery is not null)
        {
            await _discovery.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery on udp://{Address}: peers with the endpoint 'auto' are told {Announced}")]
    private partial void LogDiscovery(IPEndPoint address, string announced);
}
