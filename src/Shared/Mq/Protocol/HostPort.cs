using System.Globalization;
using System.Net;

namespace Mq.Protocol;

/// <summary>Addresses written <c>host:port</c>: the broker's monitoring and discovery addresses, the client's discovery address.</summary>
internal static class HostPort
{
    /// <summary>
    /// <c>host:port</c> with an IP address or <c>localhost</c> (IPv6 in brackets, <c>[::1]:7445</c>), as the
    /// monitoring and discovery addresses are written; null when it is not one.
    /// </summary>
    public static IPEndPoint? Parse(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            return null;
        }

        string host = address[..colon];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        return IPAddress.TryParse(host, out IPAddress? ip) ? new IPEndPoint(ip, port) : null;
    }
}
