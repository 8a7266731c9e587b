using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mq.Hosting;

/// <summary>
/// The readiness signal of docs/testing.md: a process started with <c>MQ_READY_ADDRESS=127.0.0.1:port</c> (the test
/// kit sets it) says it is ready by connecting there and writing one line. Hosted apps send it by themselves once
/// every registered subscription and service is confirmed; other apps call <see cref="SendAsync"/> when they are.
/// </summary>
public static class ReadySignal
{
    /// <summary>The environment variable naming where to report readiness.</summary>
    public const string Variable = "MQ_READY_ADDRESS";

    /// <summary>
    /// Reports readiness if <see cref="Variable"/> is set: true once sent, false if it is not set or nobody listens
    /// there (never an exception for that: readiness is for whoever watches, not a condition to run).
    /// </summary>
    public static async ValueTask<bool> SendAsync(CancellationToken cancellationToken = default)
    {
        string? address = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        int colon = address.LastIndexOf(':');
        if (colon <= 0
            || !IPAddress.TryParse(address[..colon], out IPAddress? ip)
            || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"{Variable} must look like 127.0.0.1:port, not '{address}'");
        }

        try
        {
            using var client = new TcpClient(ip.AddressFamily);
            await client.ConnectAsync(ip, port, cancellationToken);
            await client.GetStream().WriteAsync("ready\n"u8.ToArray(), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
