using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mq.Hosting;

/// <summary>
/// The readiness signal of docs/testing.md: a process started with <c>MQ_READY_ADDRESS=127.0.0.1:port</c> (the test
/// kit sets it) says it is ready by connecting there and writing one line. Hosted apps send it by themselves once
/// every registered subscription and service is confirmed; other apps call <see cref="SendAsync(CancellationToken)"/> when they are.
/// </summary>
public static class ReadySignal
{
    /// <summary>The environment variable naming where to report readiness.</summary>
    public const string Variable = "MQ_READY_ADDRESS";

    /// <summary>
    /// How long sending may take. A watcher that does not accept (the variable is inherited by every process a
    /// script starts, and only one signal is awaited) must not hold up the app's start: its connect would hang for
    /// as long as the kernel retries the SYN.
    /// </summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reports readiness if <see cref="Variable"/> is set: true once sent, false if it is not set, nobody listens
    /// there or the listener does not take it within 5 s (never an exception for that: readiness is for whoever
    /// watches, not a condition to run).
    /// </summary>
    public static ValueTask<bool> SendAsync(CancellationToken cancellationToken = default)
    {
        string? address = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrEmpty(address) ? ValueTask.FromResult(false) : SendAsync(address, Timeout, cancellationToken);
    }

    internal static async ValueTask<bool> SendAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {

        int colon = address.LastIndexOf(':');
        if (colon <= 0
            || !IPAddress.TryParse(address[..colon], out IPAddress? ip)
            || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"{Variable} must look like 127.0.0.1:port, not '{address}'");
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient(ip.AddressFamily);
            await client.ConnectAsync(ip, port, bounded.Token);
            await client.GetStream().WriteAsync("ready\n"u8.ToArray(), bounded.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
