using System.Net;
using Mq.Protocol;

namespace Mq.Broker.Discovery;

/// <summary>
/// Broker discovery over UDP, bound from "Broker:Discovery" (docs/protocol.md §1.3): off unless
/// <see cref="Address"/> is set. Peers started with the endpoint <c>auto</c> send a probe there (or to the
/// network's broadcast address) and connect to the endpoint the broker answers with.
/// </summary>
public sealed class BrokerDiscoveryOptions
{
    /// <summary>Where probes are heard, <c>host:port</c>: <c>0.0.0.0:7445</c> for the local network, <c>127.0.0.1:0</c> for a free loopback port.</summary>
    public string? Address { get; set; }

    /// <summary>The endpoint to answer with; null answers with the broker's own, a wildcard host replaced by the address the answer leaves from.</summary>
    public string? Announce { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Address);

    public override string ToString() => Enabled ? $"discovery on {Address}" : "discovery off";

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }

        if (HostPort.Parse(Address!) is null)
        {
            return $"Broker:Discovery:Address '{Address}' must be host:port with an IP address, e.g. 0.0.0.0:{DiscoveryWire.DefaultPort}";
        }

        return Announce is null || System.Text.RegularExpressions.Regex.IsMatch(Announce, @"^tcp://[^\s:]+:\d{1,5}$")
            ? null
            : $"Broker:Discovery:Announce '{Announce}' must look like tcp://192.168.1.20:5555";
    }

    internal IPEndPoint EndPoint() => HostPort.Parse(Address!) ?? throw new InvalidOperationException($"invalid discovery address '{Address}'");
}
