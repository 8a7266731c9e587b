using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mq.CliTests.Demo;

/// <summary>A loopback port nobody listens on now, as the text MQ_DEMO_PORT takes.</summary>
internal static class LoopbackPort
{
    public static string Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}
