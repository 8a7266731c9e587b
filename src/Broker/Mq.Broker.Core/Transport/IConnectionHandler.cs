namespace Mq.Broker.Transport;

/// <summary>
/// What connections report, from their own tasks, in order per connection. The implementation hands each report to
/// the broker thread.
/// </summary>
internal interface IConnectionHandler
{
    /// <summary>The ZMTP handshake is done and CONNECTED is queued: the connection may speak Mq.</summary>
    void OnConnected(ZmtpConnection connection);

    /// <summary>Frames read: the batch is to be run on the broker thread, which must end with <see cref="ZmtpConnection.Release"/>.</summary>
    void OnFrames(InboundBatch batch);

    /// <summary>The peer answered a <see cref="ZmtpConnection.Probe"/>: it has read everything queued before it.</summary>
    void OnPong(ZmtpConnection connection, ulong token);

    /// <summary>The connection is closed; reported once, and only after <see cref="OnConnected"/>.</summary>
    void OnDisconnected(ZmtpConnection connection);
}
