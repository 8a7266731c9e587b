using Mq.Client.Connection.Transport;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// The transport under the connection, chosen by the endpoint's scheme (tcp:// is NetMQ's unless the stream is asked
/// for, unix:// and pipe:// are the stream's), and what it reports, on the socket thread.
/// </summary>
internal sealed partial class PeerConnection
{
    /// <summary>
    /// Set to <c>stream</c> to carry tcp:// over Mq's own ZMTP stream instead of NetMQ, in every client of the process:
    /// for measuring one against the other (benchmarks), not for production.
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
        bool stream = LocalEndpoint.IsLocal(_options.Endpoint)
            || _options.TcpOverStream
            || Environment.GetEnvironmentVariable(TcpTransportVariable) == "stream";
        return stream
            ? new StreamTransport(_poller, this, Post, maxFrameBytes, _options, _logger)
            : new NetMqTransport(_poller, this, maxFrameBytes, _options);
    }
}
