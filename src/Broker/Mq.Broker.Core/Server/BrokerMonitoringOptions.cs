using System.Net;

namespace Mq.Broker.Server;

/// <summary>
/// The broker's HTTP monitoring endpoint ("Broker:Monitoring" section): health, Prometheus metrics, JSON and the
/// live dashboard, served by the Mq.Broker.Monitoring package. Off unless <see cref="Address"/> is set.
/// </summary>
public sealed class BrokerMonitoringOptions
{
    /// <summary>Where to serve, as <c>host:port</c> with an IP address or <c>localhost</c> (<c>127.0.0.1:8222</c>); port 0 picks a free one.</summary>
    public string? Address { get; set; }

    /// <summary>
    /// Allows an address other than loopback. The endpoint has no authentication: it shows every peer's name,
    /// identity and remote address to whoever reaches it (docs/security.md).
    /// </summary>
    public bool AllowRemote { get; set; }

    /// <summary>
    /// Labels the request-duration histogram with each service's name. Off by default: every service becomes a
    /// series of its own (17 buckets each), so turn it on only where the set of service names is small and known.
    /// </summary>
    public bool ServiceLabels { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Address);

    public override string ToString() => Enabled ? $"monitoring on {Address}" : "monitoring off";

    /// <summary>One line saying what is wrong with these settings, or null.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }

        if (ParseEndPoint(Address!) is not { } endPoint)
        {
            return $"Broker:Monitoring:Address '{Address}' must be host:port with an IP address or localhost, e.g. 127.0.0.1:8222";
        }

        return IPAddress.IsLoopback(endPoint.Address) || AllowRemote
            ? null
            : $"Broker:Monitoring:Address '{Address}' is not a loopback address: the endpoint has no authentication, so set Broker:Monitoring:AllowRemote=true to serve it there (see docs/security.md)";
    }

    /// <summary>The address to bind; call only when <see cref="Problem"/> found nothing.</summary>
    internal IPEndPoint EndPoint() => ParseEndPoint(Address!) ?? throw new InvalidOperationException($"invalid monitoring address '{Address}'");

    private static IPEndPoint? ParseEndPoint(string address) => Mq.Protocol.HostPort.Parse(address);
}
