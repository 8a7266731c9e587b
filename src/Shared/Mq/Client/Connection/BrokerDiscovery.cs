using System.Net;
using System.Net.Sockets;
using Mq.Errors;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// Finds a broker for an <c>auto</c> endpoint: sends a probe to the discovery address (the broadcast address, or one
/// broker's) every <see cref="ProbeInterval"/> and takes the endpoint of the first answer (docs/protocol.md §1.3).
/// </summary>
internal static class BrokerDiscovery
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    /// <exception cref="NotConnectedException">No broker answered within <paramref name="timeout"/>, or the probe could not be sent.</exception>
    public static async Task<string> FindAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IPEndPoint target = HostPort.Parse(address) ?? throw new ArgumentException($"invalid discovery address '{address}'", nameof(address));
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        IPEndPoint any = new(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        if (target.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.EnableBroadcast = true;
        }

        socket.Bind(any);
        byte[] probe = DiscoveryWire.Probe();
        byte[] buffer = new byte[DiscoveryWire.DatagramBytes + 1];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        int probes = 0;
        try
        {
            while (true)
            {
                await SendAsync(socket, probe, target, address, deadline.Token);
                probes++;
                if (await AnswerAsync(socket, buffer, any, deadline.Token) is { } endpoint)
                {
                    return endpoint;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotConnectedException(
                $"no Mq broker answered discovery at {address} within {timeout.TotalSeconds:0.#} s ({probes} probes): start the broker with --discovery (Broker:Discovery:Address), or give its endpoint");
        }
    }

    private static async Task SendAsync(Socket socket, byte[] probe, IPEndPoint target, string address, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendToAsync(probe, SocketFlags.None, target, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new NotConnectedException($"cannot send a discovery probe to {address}: {ex.Message}", ex);
        }
    }

    /// <summary>The endpoint of the first answer within one probe interval; null when the interval passes without one.</summary>
    private static async Task<string?> AnswerAsync(Socket socket, byte[] buffer, IPEndPoint any, CancellationToken deadline)
    {
        using var interval = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        interval.CancelAfter(ProbeInterval);
        try
        {
            while (true)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, interval.Token);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
                {
                    continue; // an ICMP error for the probe, or an oversized datagram: wait for a real answer
                }

                if (DiscoveryWire.TryParseAnswer(buffer.AsSpan(0, received.ReceivedBytes), out string endpoint, out _))
                {
                    return endpoint;
                }
            }
        }
        catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
        {
            return null;
        }
    }
}
