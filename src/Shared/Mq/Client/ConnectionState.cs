namespace Mq.Client;

public enum ConnectionState
{
    /// <summary>Waiting for the broker to accept the handshake (first connect or after a loss).</summary>
    Connecting,
    /// <summary>Handshake done: commands flow.</summary>
    Connected,
    /// <summary>The broker went silent, said goodbye or restarted; the client is reconnecting.</summary>
    Disconnected,
    /// <summary>Disposed.</summary>
    Closed,
}
