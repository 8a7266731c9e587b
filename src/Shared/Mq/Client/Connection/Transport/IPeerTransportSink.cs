namespace Mq.Client.Connection.Transport;

/// <summary>What a transport tells its <see cref="PeerConnection"/>, on the poller thread.</summary>
internal interface IPeerTransportSink
{
    /// <summary>One single-frame message from the broker, in an array of its own that the receiver may keep.</summary>
    void OnFrame(byte[] frame);

    /// <summary>A read's frames were all handed over, or a blocked write drained: the time to send what waits.</summary>
    void OnReadyToSend();

    /// <summary>The broker sent something this client cannot read (a multi-frame message); the connection goes on.</summary>
    void OnProtocolError(string reason);

    /// <summary>The connection ended (the transport reconnects by itself); anything in flight on it is gone.</summary>
    void OnConnectionLost(string reason);

    /// <summary>A transport's poller handler failed unexpectedly (the poller must never see an exception); the connection goes on.</summary>
    void OnUnexpected(Exception exception);
}
