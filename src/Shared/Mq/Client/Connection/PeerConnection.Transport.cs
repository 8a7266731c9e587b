using Mq.Client.Connection.Transport;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// The transport under the connection (Mq's own ZMTP stream, for tcp://, unix:// and pipe:// alike; NetMQ's DEALER for
/// tcp:// only when asked for), and what it reports, on the socket thread.
/// </summary>
internal sealed partial class PeerConnection
{
    /// <summary>
    /// Set to <c>netmq</c> to carry tcp:// over a NetMQ DEALER instead of Mq's own ZMTP stream, in every client of the
    /// process: for measuring one against the other (benchmarks). The stream spares every frame NetMQ's I/O thread and
    /// mailbox on both sides (docs/performance.md).
    /// </summary>
    internal const string TcpTransportVariable = "MQ_TCP_TRANSPORT";

    public void OnFrame(byte[] frame)
    {
        _lastReceived = Environment.TickCount64;
        Receive(frame);
    }

    public void OnReadyToSend() => SendPending();

    public void OnProtocolError(string reason)
    {
        _lastReceived = Environment.TickCount64;
        LogBrokerProtocolError(reason);
    }

    public void OnConnectionLost(string reason)
    {
        // The broker's session for this connection ended with it; the transport is connecting again, and the broker's
        // CONNECTED on the new connection starts the next handshake.
        LoseSession($"the connection to the broker was lost ({reason})");
    }

    public void OnUnexpected(Exception exception) => LogUnexpected(exception);

    private IPeerTransport CreateTransport(long maxFrameBytes)
    {
        bool netmq = !LocalEndpoint.IsLocal(_options.Endpoint)
            && (_options.TcpOverNetMq || Environment.GetEnvironmentVariable(TcpTransportVariable) == "netmq");
        return !netmq
            ? new StreamTransport(_poller, this, Post, _socketLock, maxFrameBytes, _options, _logger)
            : new NetMqTransport(_poller, this, maxFrameBytes, _options);
    }
}
