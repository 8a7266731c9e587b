using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.Broker.Discovery;

/// <summary>
/// Answers discovery probes on a UDP socket with the endpoint peers should connect to. Anything but a well-formed
/// probe is dropped and counted (the sender's address is untrusted and possibly forged, so it gets no reply), and
/// answers are capped per second, so a flood of probes costs the broker a bounded amount of work and traffic.
/// </summary>
internal sealed partial class DiscoveryResponder : IAsyncDisposable
{
    private const int AnswersPerSecond = 100;

    private readonly Socket _socket;
    private readonly string _endpoint;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly RateLimit _answers = new(AnswersPerSecond);
    private readonly RateLimit _refusalLog = new(1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _ignored;

    private DiscoveryResponder(Socket socket, string endpoint, string name, ILogger logger)
    {
        _socket = socket;
        _endpoint = endpoint;
        _name = name;
        _logger = logger;
        _loop = ReceiveLoopAsync(_stop.Token);
    }

    /// <summary>The address probes are heard on, with the real port when port 0 was asked for.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Datagrams that were not probes, and probes over the answer rate, since the start.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Binds <paramref name="options"/>' address and starts answering with <paramref name="endpoint"/> (or the announced one).</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public static DiscoveryResponder Start(BrokerDiscoveryOptions options, string endpoint, string name, ILogger logger)
    {
        IPEndPoint address = options.EndPoint();
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several brokers on one host may all listen for the network's probes.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(address);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new DiscoveryResponder(socket, options.Announce ?? endpoint, name, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // One more than a datagram may be, so an oversized one is seen as such rather than cut to size.
        byte[] buffer = new byte[DiscoveryWire.DatagramBytes + 1];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error for an earlier answer, or a datagram larger than any probe
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogStopped(ex.SocketErrorCode);
                return;
            }

            var sender = (IPEndPoint)received.RemoteEndPoint;
            long now = Environment.TickCount64;
            if (!DiscoveryWire.IsProbe(buffer.AsSpan(0, received.ReceivedBytes)) || !_answers.TryPass(now, out _))
            {
                Interlocked.Increment(ref _ignored);
                if (_refusalLog.TryPass(now, out _))
                {
                    LogIgnored(sender, received.ReceivedBytes, Ignored);
                }

                continue;
            }

            await AnswerAsync(sender, cancellationToken);
        }
    }

    private async Task AnswerAsync(IPEndPoint prober, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendToAsync(DiscoveryWire.Answer(Announced(prober), _name), SocketFlags.None, prober, cancellationToken);
        }
        catch (SocketException ex)
        {
            LogAnswerFailed(prober, ex.SocketErrorCode);
        }
    }

    /// <summary>The endpoint as the prober can reach it: a wildcard host becomes the local address that routes to the prober.</summary>
    private string Announced(IPEndPoint prober)
    {
        var uri = new Uri(_endpoint);
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? host) || !(host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any)))
        {
            return _endpoint;
        }

        using var route = new Socket(prober.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        route.Connect(prober);
        IPAddress local = ((IPEndPoint)route.LocalEndPoint!).Address;
        string shown = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"tcp://{shown}:{uri.Port}";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discovery: ignored a datagram of {Bytes} bytes from {Sender} (not a probe, or over the answer rate); {Total} ignored so far")]
    private partial void LogIgnored(IPEndPoint sender, int bytes, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery stopped answering: its socket failed ({Error})")]
    private partial void LogStopped(SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discovery: could not answer {Prober}: {Error}")]
    private partial void LogAnswerFailed(IPEndPoint prober, SocketError error);
}
